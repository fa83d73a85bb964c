/** The recording shape the inliner reads (defined by the recorder, capture/recorder.ts). */
import type { Recording } from './recorder.js';

export type { RecordedExchange, Recording } from './recorder.js';

/** All the inliner needs of a recording. */
export type RecordingLookup = Pick<Recording, 'find'>;
