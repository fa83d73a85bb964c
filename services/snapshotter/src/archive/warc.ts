/**
 * WARC 1.1 from a recording, written with warcio: a `warcinfo` record, then per exchange a
 * `request` and a `response` record (WARC-Concurrent-To links them), each record gzipped on its
 * own so any record can be read from its CDXJ offset. Bodies are the decoded payload the page
 * received, so `Content-Encoding` / `Transfer-Encoding` are dropped and `Content-Length` is the
 * stored length: the HTTP block is then exactly what a replay serves, and warcio's
 * WARC-Payload-Digest (sha256) is the digest of those bytes. A cut body says why with
 * `WARC-Truncated` (`length` or `time`). A whole 2xx payload an earlier version of the link
 * archived already (`KnownPayloads`, ADR 0017) is written as a `revisit` record instead
 * (profile identical-payload-digest, WARC-Refers-To-Target-URI and -Date naming the original),
 * with the HTTP headers of this exchange and no payload.
 */
import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { CDXIndexer, WARCRecord, WARCSerializer } from 'warcio';
import type { RecordedExchange, Recording } from '../capture/recorder.js';
import type { KnownPayload, KnownPayloads } from './known-payloads.js';

export const WARC_FILENAME = 'data.warc.gz';
const DIGEST = { algo: 'sha-256', prefix: 'sha256:', base32: false } as const;
/** Headers describing the wire encoding of a body this archive stores decoded. */
const WIRE_HEADERS = new Set(['content-encoding', 'transfer-encoding', 'content-length']);

export interface WarcInfo {
  software: string;
  /** The captured page, for the warcinfo record. */
  pageUrl: string;
}

export interface WrittenWarc {
  warc: Buffer;
  /** CDXJ lines, sorted (the WACZ index). */
  cdxj: string;
}

function httpStatusLine(exchange: RecordedExchange): string {
  // HTTP/2 has no reason phrase; replay tools expect one.
  const reason = exchange.statusText || STATUS_CODES[exchange.status] || '';
  return `HTTP/1.1 ${exchange.status} ${reason}`.trimEnd();
}

function storedResponseHeaders(exchange: RecordedExchange): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(exchange.responseHeaders)) {
    if (WIRE_HEADERS.has(name)) continue;
    // A header repeated on the wire reaches us joined by newlines; WARC keeps one per line.
    headers[name] = value.split('\n').join(', ');
  }
  headers['content-length'] = String(exchange.body.length);
  return headers;
}

function requestLine(exchange: RecordedExchange): string {
  const url = new URL(exchange.url);
  return `${exchange.method} ${url.pathname}${url.search} HTTP/1.1`;
}

async function* bytes(body: Buffer): AsyncGenerator<Uint8Array> {
  if (body.length > 0) yield new Uint8Array(body.buffer, body.byteOffset, body.length);
}

function responseRecord(exchange: RecordedExchange): WARCRecord {
  const warcHeaders: Record<string, string> = {};
  if (exchange.truncated) warcHeaders['WARC-Truncated'] = exchange.truncated;
  return WARCRecord.create(
    {
      url: exchange.url,
      date: exchange.startedAt.toISOString(),
      type: 'response',
      warcVersion: 'WARC/1.1',
      statusline: httpStatusLine(exchange),
      httpHeaders: storedResponseHeaders(exchange),
      warcHeaders,
    },
    bytes(exchange.body),
  );
}

function revisitRecord(exchange: RecordedExchange, digest: string, original: KnownPayload): WARCRecord {
  return WARCRecord.create(
    {
      url: exchange.url,
      date: exchange.startedAt.toISOString(),
      type: 'revisit',
      warcVersion: 'WARC/1.1',
      statusline: httpStatusLine(exchange),
      httpHeaders: storedResponseHeaders(exchange),
      refersToUrl: original.url,
      refersToDate: original.date,
      warcHeaders: { 'WARC-Payload-Digest': `${DIGEST.prefix}${digest}` },
    },
    bytes(Buffer.alloc(0)),
  );
}

/** The revisit for an exchange whose payload is archived already, else its response. */
function exchangeRecord(exchange: RecordedExchange, known: KnownPayloads | undefined): WARCRecord {
  const whole = !exchange.truncated && exchange.status >= 200 && exchange.status < 300 && exchange.body.length > 0;
  if (known && whole) {
    const digest = createHash('sha256').update(exchange.body).digest('hex');
    const original = known.lookup(digest);
    if (original) return revisitRecord(exchange, digest, original);
  }
  return responseRecord(exchange);
}

function requestRecord(exchange: RecordedExchange, responseId: string): WARCRecord {
  const headers = { host: new URL(exchange.url).host, ...exchange.requestHeaders };
  return WARCRecord.create(
    {
      url: exchange.url,
      date: exchange.startedAt.toISOString(),
      type: 'request',
      warcVersion: 'WARC/1.1',
      statusline: requestLine(exchange),
      httpHeaders: headers,
      warcHeaders: { 'WARC-Concurrent-To': responseId },
    },
    bytes(Buffer.alloc(0)),
  );
}

function infoRecord(info: WarcInfo): WARCRecord {
  return WARCRecord.createWARCInfo(
    { filename: WARC_FILENAME, warcVersion: 'WARC/1.1' },
    { software: info.software, format: 'WARC File Format 1.1', isPartOf: info.pageUrl },
  );
}

async function serialize(record: WARCRecord): Promise<Uint8Array> {
  return WARCSerializer.serialize(record, { gzip: true, digest: DIGEST });
}

/** Writes the recording as one gzipped WARC 1.1 file and indexes it. */
export async function writeWarc(recording: Recording, info: WarcInfo, known?: KnownPayloads): Promise<WrittenWarc> {
  const chunks: Uint8Array[] = [await serialize(infoRecord(info))];
  for (const exchange of recording.exchanges()) {
    const response = exchangeRecord(exchange, known);
    const responseId = response.warcHeader('WARC-Record-ID') ?? '';
    chunks.push(await serialize(response));
    chunks.push(await serialize(requestRecord(exchange, responseId)));
  }
  const warc = Buffer.concat(chunks);
  return { warc, cdxj: await indexWarc(warc) };
}

/** CDXJ of a gzipped WARC, sorted as the WACZ spec asks (SURT key, then timestamp). */
export async function indexWarc(warc: Buffer): Promise<string> {
  const indexer = new CDXIndexer({ format: 'cdxj' });
  const lines: string[] = [];
  for await (const entry of indexer.iterIndex([{ filename: WARC_FILENAME, reader: bytes(warc) }])) {
    lines.push(indexer.serializeCDXJ(entry).trimEnd());
  }
  lines.sort();
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
