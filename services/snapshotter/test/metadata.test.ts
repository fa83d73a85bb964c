/**
 * The metadata a capture keeps when its metadata stage did not finish: what the readable text
 * found (title, excerpt, language, site, byline, date), so a slow renderer never costs the
 * snapshot its title. The stage's own result, when it comes, is read from the DOM (capture tests).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { articleMetadata } from '../src/capture/metadata.js';
import type { NavigationResult } from '../src/capture/navigate.js';
import type { ReadableArticle } from '../src/capture/readable.js';

const navigation = {
  finalUrl: 'http://127.0.0.1:8080/corpus/wikipedia-2',
  httpStatus: 200,
  contentType: 'text/html; charset=utf-8',
} as NavigationResult;

test('keeps what the readable text found when the metadata stage did not finish', () => {
  const article = {
    found: true,
    title: 'New Zealand',
    byline: 'Wikipedia contributors',
    excerpt: 'New Zealand is an island country in the southwestern Pacific Ocean.',
    siteName: 'Wikipedia',
    lang: 'en',
    publishedTime: '2017-01-01T00:00:00Z',
    html: '<p>New Zealand is an island country.</p>',
  } as ReadableArticle;
  assert.deepEqual(articleMetadata(navigation, article), {
    title: 'New Zealand',
    description: 'New Zealand is an island country in the southwestern Pacific Ocean.',
    lang: 'en',
    canonical: null,
    siteName: 'Wikipedia',
    author: 'Wikipedia contributors',
    publishedTime: '2017-01-01T00:00:00Z',
    favicon: null,
    image: null,
    finalUrl: navigation.finalUrl,
    httpStatus: 200,
    contentType: 'text/html; charset=utf-8',
  });
});

test('is the navigation alone when the text stage found nothing either', () => {
  const metadata = articleMetadata(navigation, null);
  assert.equal(metadata.title, null);
  assert.equal(metadata.description, null);
  assert.equal(metadata.finalUrl, navigation.finalUrl);
  assert.equal(metadata.httpStatus, 200);
});
