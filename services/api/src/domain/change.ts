/**
 * What changed between a version and the link's previous good one: the rules that decide
 * text sameness, whether a page is gone (and the link dead), and whether a change is news.
 */
import { isGoodCapture } from '@linksnap/shared';

export interface VersionChange {
  /** Readable text after whitespace normalisation; null when either version has none. */
  text: 'same' | 'changed' | null;
  /** Share of screenshot pixels that differ (0..1) on the common size; null without two screenshots. */
  visual: number | null;
  /** `moved`: a good capture at another final URL; `gone`: DNS failure, error page or soft 404. */
  status: 'same' | 'moved' | 'gone';
}

/** Below this share of pixels, a visual difference is rendering noise, not a change. */
export const VISUAL_CHANGE_MIN = 0.001;

/** Whitespace runs become one space; leading and trailing space goes. */
export function normalizeText(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/gu, ' ').trim();
}

const NOT_FOUND_PATTERNS = [
  /\b(page|file|article|post|resource|content)s?\s+(was\s+)?not\s+(be\s+)?found\b/iu,
  /\b404\b.{0,40}\bnot\s+found\b|\bnot\s+found\b.{0,40}\b404\b/iu,
  /^\s*(error\s*)?404\b/iu,
  /\bpage\s+(does\s+not|doesn['’]t)\s+exist\b/iu,
  /\bno\s+longer\s+(available|exists)\b/iu,
  /页面不存在|页面未找到|找不到(该|此|您要的)?页面|您访问的页面不存在|网页不存在|页面已删除/u,
  /ページが見つかりません|페이지를 찾을 수 없습니다/u,
];

/** Pages longer than this are articles that may mention "not found", not error pages. */
const SOFT_404_MAX_TEXT = 1_500;

/**
 * A page that answered 2xx but says it is not there: its title says so, or its short text
 * does near its start.
 */
export function isSoft404(title: string | null | undefined, text: string | null | undefined): boolean {
  const t = normalizeText(title);
  if (t && NOT_FOUND_PATTERNS.some((p) => p.test(t))) return true;
  const body = normalizeText(text);
  if (body.length === 0 || body.length > SOFT_404_MAX_TEXT) return false;
  const head = body.slice(0, 300);
  return NOT_FOUND_PATTERNS.some((p) => p.test(head));
}

/** A version the link may show: a good capture (2xx/3xx, succeeded or partial) that is no soft 404. */
export function isShowable(v: {
  status: string;
  httpStatus: number | null;
  title: string | null;
  text: string | null;
}) {
  return isGoodCapture(v.status, v.httpStatus) && !isSoft404(v.title, v.text);
}

export interface ComparedVersion {
  status: string;
  httpStatus: number | null;
  errorCode: string | null;
  finalUrl: string | null;
  title: string | null;
  text: string | null;
}

/**
 * The status part of a change: `gone` for a DNS failure, an error page after a good version,
 * or a soft 404; `moved` for a good capture at another final URL; `same` otherwise. Null when
 * the version says nothing (a capture that failed for another reason, or a first version).
 */
export function statusChange(
  current: ComparedVersion,
  previous: ComparedVersion | null,
): VersionChange['status'] | null {
  if (current.errorCode === 'DNS_FAILED') return 'gone';
  if (isGoodCapture(current.status, current.httpStatus)) {
    if (isSoft404(current.title, current.text)) return 'gone';
    if (!previous) return null;
    return sameUrl(current.finalUrl, previous.finalUrl) ? 'same' : 'moved';
  }
  const errorPage =
    (current.status === 'succeeded' || current.status === 'partial') && (current.httpStatus ?? 0) >= 400;
  return errorPage && previous ? 'gone' : null;
}

function sameUrl(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return true;
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

export function textChange(current: string | null, previous: string | null): VersionChange['text'] {
  if (current === null || previous === null) return null;
  return normalizeText(current) === normalizeText(previous) ? 'same' : 'changed';
}

/** Worth a `snapshot.changed` event: the text or, beyond noise, the picture differs. */
export function isChanged(change: VersionChange): boolean {
  return change.text === 'changed' || (change.visual ?? 0) >= VISUAL_CHANGE_MIN || change.status === 'moved';
}
