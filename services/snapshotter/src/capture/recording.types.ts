/**
 * The recording shape agreed between the archive branches (issue 14). The recorder itself
 * (capture/recorder.ts) lives on the archive-record branch; until it is merged here this file
 * holds the same interfaces, and afterwards it only re-exports them.
 */
export interface RecordedExchange {
  /** Absolute request URL (fragment removed). */
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  status: number;
  statusText: string;
  responseHeaders: Record<string, string>;
  /** Content-Type without parameters, lower case. */
  mimeType: string;
  /** Payload exactly as the page received it (after content decoding). */
  body: Buffer;
  /** Why the body is incomplete, if it is. */
  truncated: 'length' | 'time' | null;
  /** CDP ResourceType: Document, Stylesheet, Image, Font, XHR, Fetch, ... */
  resourceType: string;
  startedAt: Date;
}

export interface Recording {
  /** Every recorded exchange in order; a redirect is an exchange with a 3xx status and a Location header. */
  exchanges(): RecordedExchange[];
  /** The last successful (2xx) response recorded for this URL (fragment ignored), if any. */
  find(url: string): RecordedExchange | undefined;
}

/** All the inliner needs of a recording. */
export type RecordingLookup = Pick<Recording, 'find'>;
