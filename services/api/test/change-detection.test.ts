/** The rules of change detection and diffs: text ops, changed boxes, soft 404s, gone/moved, schedules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@linksnap/shared';
import { isChanged, isSoft404, statusChange, textChange } from '../src/domain/change.js';
import { checkSchedule, nextTimes, patternOf } from '../src/domain/schedule.js';
import { diffText, tokenize } from '../src/domain/text-diff.js';
import {
  boxesOf,
  compareImages,
  decodeImage,
  encodePng,
  highlightImage,
  type RawImage,
} from '../src/domain/visual-diff.js';

const version = (over: Partial<Parameters<typeof statusChange>[0]> = {}) => ({
  status: 'succeeded',
  httpStatus: 200,
  errorCode: null,
  finalUrl: 'https://example.com/a',
  title: 'An article',
  text: 'Plenty of article text.',
  ...over,
});

function canvas(width: number, height: number, paint?: (x: number, y: number) => boolean): RawImage {
  const data = new Uint8Array(width * height * 4).fill(255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) if (paint?.(x, y)) data.set([0, 0, 0, 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

describe('text diff', () => {
  it('diffs Latin text word by word: one changed word is one delete and one insert', () => {
    const ops = diffText('The  counter reads 1111\ntoday.', 'The counter reads 2222 today.');
    assert.deepEqual(ops, [
      { op: 'equal', text: 'The counter reads ' },
      { op: 'delete', text: '1111' },
      { op: 'insert', text: '2222' },
      { op: 'equal', text: ' today.' },
    ]);
  });

  it('diffs CJK text character by character', () => {
    assert.deepEqual(tokenize('归档网页abc 12'), ['归', '档', '网', '页', 'abc', ' ', '12']);
    const ops = diffText('今天天气很好', '今天天气不好');
    assert.deepEqual(ops, [
      { op: 'equal', text: '今天天气' },
      { op: 'delete', text: '很' },
      { op: 'insert', text: '不' },
      { op: 'equal', text: '好' },
    ]);
  });

  it('compares text after whitespace normalisation', () => {
    assert.equal(textChange('a  b\n c', ' a b c '), 'same');
    assert.equal(textChange('a b', 'a c'), 'changed');
    assert.equal(textChange(null, 'a'), null);
    assert.deepEqual(diffText('', 'new'), [{ op: 'insert', text: 'new' }]);
  });
});

describe('visual diff', () => {
  it('boxes the changed region only, in screenshot pixels, and measures its share', async () => {
    const before = canvas(200, 120, (x, y) => y >= 10 && y < 20 && x >= 10 && x < 190);
    const after = canvas(
      200,
      120,
      (x, y) => (y >= 10 && y < 20 && x >= 10 && x < 190) || (y >= 70 && y < 80 && x >= 40 && x < 90),
    );
    const diff = compareImages(before, after);
    assert.equal(diff.changedRatio, (10 * 50) / (200 * 120));
    assert.deepEqual(diff.boxes, [{ x: 32, y: 64, width: 64, height: 16 }]);
    const png = await encodePng(highlightImage(diff));
    const decoded = await decodeImage(png);
    assert.equal(decoded.width, 200);
    assert.deepEqual([...decoded.data.subarray((75 * 200 + 50) * 4, (75 * 200 + 50) * 4 + 4)], [255, 0, 0, 255]);
  });

  it('compares on the common size and joins touching cells into one box', () => {
    const before = canvas(100, 50);
    const after = canvas(120, 80, (x, y) => y < 40 && x >= 20 && x < 36);
    const diff = compareImages(before, after);
    assert.equal(diff.width, 100);
    assert.equal(diff.height, 50);
    assert.deepEqual(diff.boxes, [{ x: 16, y: 0, width: 32, height: 48 }]);
    assert.deepEqual(boxesOf(new Uint8Array(100), 10, 10), []);
  });
});

describe('gone, moved and soft 404', () => {
  it('recognises soft 404 pages by their title or short text, in English and Chinese', () => {
    assert.ok(isSoft404('Page not found', ''));
    assert.ok(isSoft404('Error 404', 'Nothing here'));
    assert.ok(isSoft404('Example', 'Sorry, the page you requested does not exist. Page not found.'));
    assert.ok(isSoft404('出错了', '您访问的页面不存在'));
    assert.ok(!isSoft404('How we found the bug', `${'A long article. '.repeat(200)} page not found`));
    assert.ok(!isSoft404('An article', 'Plenty of article text.'));
  });

  it('calls a version gone for DNS failure, an error page after a good one, or a soft 404', () => {
    const good = version();
    assert.equal(statusChange(version({ status: 'failed', httpStatus: null, errorCode: 'DNS_FAILED' }), good), 'gone');
    assert.equal(statusChange(version({ httpStatus: 404 }), good), 'gone');
    assert.equal(statusChange(version({ httpStatus: 503 }), good), 'gone');
    assert.equal(statusChange(version({ httpStatus: 404 }), null), null, 'an error page with no good one before');
    assert.equal(statusChange(version({ title: 'Page not found', text: 'Not here' }), good), 'gone');
    assert.equal(
      statusChange(version({ status: 'failed', httpStatus: null, errorCode: 'NAVIGATION_TIMEOUT' }), good),
      null,
    );
    assert.equal(statusChange(version({ finalUrl: 'https://example.com/b' }), good), 'moved');
    assert.equal(statusChange(version(), good), 'same');
    assert.equal(statusChange(version(), null), null, 'a first version has nothing to compare');
  });

  it('reports a change when the text differs, or pixels beyond noise, or the page moved', () => {
    assert.ok(isChanged({ text: 'changed', visual: 0, status: 'same' }));
    assert.ok(isChanged({ text: 'same', visual: 0.02, status: 'same' }));
    assert.ok(!isChanged({ text: 'same', visual: 0.0001, status: 'same' }));
    assert.ok(isChanged({ text: 'same', visual: 0, status: 'moved' }));
  });
});

describe('schedules', () => {
  const HOUR = 3_600_000;

  it('spreads named schedules by id and keeps each at a stable time', () => {
    const a = patternOf('daily', '0190a1b2-0000-7000-8000-000000000001');
    assert.equal(a, patternOf('daily', '0190a1b2-0000-7000-8000-000000000001'));
    assert.match(a, /^\d{1,2} \d{1,2} \* \* \*$/);
    assert.match(patternOf('weekly', 'x'), /^\d{1,2} \d{1,2} \* \* [0-6]$/);
    assert.match(patternOf('monthly', 'x'), /^\d{1,2} \d{1,2} ([1-9]|1\d|2[0-8]) \* \*$/);
    const minutes = new Set(Array.from({ length: 50 }, (_, i) => patternOf('daily', `link-${i}`)));
    assert.ok(minutes.size > 40, 'fifty links do not share one time');
    assert.equal(patternOf('0 6 * * 1', 'x'), '0 6 * * 1');
  });

  it('accepts schedules at or above the minimum interval', () => {
    assert.equal(checkSchedule('daily', HOUR), 'daily');
    assert.equal(checkSchedule(' 0 * * * * ', HOUR), '0 * * * *');
    assert.equal(checkSchedule('* * * * *', 60_000), '* * * * *');
    const [first, second] = nextTimes('30 2 * * *', 2, new Date('2026-01-01T00:00:00Z'));
    assert.equal(first?.toISOString(), '2026-01-01T02:30:00.000Z');
    assert.equal(second?.toISOString(), '2026-01-02T02:30:00.000Z');
  });

  it('refuses schedules more often than the minimum, and cron strings that do not parse, with the reason', () => {
    const refused = (every: string, min = HOUR) => {
      try {
        checkSchedule(every, min);
      } catch (err) {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'VALIDATION_FAILED');
        return err.message;
      }
      assert.fail(`${every} was accepted`);
    };
    assert.match(refused('*/5 * * * *'), /more often/);
    assert.match(refused('0,30 * * * *'), /more often/);
    assert.match(refused('daily', 2 * 24 * HOUR), /more often/);
    assert.match(refused('every tuesday'), /not a cron expression/);
    assert.match(refused('61 * * * *'), /not a cron expression/);
  });
});
