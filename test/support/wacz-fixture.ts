/**
 * Builds a WACZ 1.1.1 in a test from real HTTP exchanges (fetched from the fixture server),
 * with warcio for the WARC and its CDXJ index and the pipeline's own packWacz for the package,
 * for tests of what reads a WACZ (replay, download, export) without a capture.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { packWacz, signerFromKey } from '@linksnap/shared';
import { unzipSync } from 'fflate';
import { CDXIndexer, WARCParser, WARCRecord, WARCSerializer } from 'warcio';

export interface Exchange {
  url: string;
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: Uint8Array;
  date: Date;
}

const DIGEST = { algo: 'sha-256', prefix: 'sha256:', base32: false } as const;
const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function* once(body: Uint8Array): AsyncGenerator<Uint8Array> {
  if (body.length > 0) yield body;
}

/** The exchange as the page received it; a redirect is recorded, not followed. */
export async function fetchExchange(url: string): Promise<Exchange> {
  const res = await fetch(url, { redirect: 'manual' });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (name !== 'content-encoding' && name !== 'transfer-encoding') headers[name] = value;
  });
  const body = new Uint8Array(await res.arrayBuffer());
  headers['content-length'] = String(body.length);
  return { url, status: res.status, statusText: res.statusText, headers, body, date: new Date() };
}

async function warcOf(exchanges: Exchange[]): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (const e of exchanges) {
    const record = WARCRecord.create(
      {
        url: e.url,
        date: e.date.toISOString(),
        type: 'response',
        warcVersion: 'WARC/1.1',
        statusline: `HTTP/1.1 ${e.status} ${e.statusText}`,
        httpHeaders: e.headers,
      },
      once(e.body),
    );
    chunks.push(await WARCSerializer.serialize(record, { gzip: true, digest: DIGEST }));
  }
  return Buffer.concat(chunks);
}

async function cdxjOf(warc: Uint8Array, filename: string): Promise<string> {
  const indexer = new CDXIndexer({ format: 'cdxj' });
  const lines: string[] = [];
  for await (const entry of indexer.iterIndex([{ filename, reader: once(warc) }])) {
    lines.push(indexer.serializeCDXJ(entry).trimEnd());
  }
  return `${lines.sort().join('\n')}\n`;
}

/** A throwaway instance key: test archives are signed like captured ones. */
const testSigner = signerFromKey(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey);

/** A signed WACZ of `exchanges`, packed by the same code as the capture pipeline's. */
export async function buildWacz(exchanges: Exchange[], page: { url: string; title: string }): Promise<Buffer> {
  const warc = await warcOf(exchanges);
  return packWacz({
    warc,
    cdxj: await cdxjOf(warc, 'data.warc.gz'),
    page: { url: page.url, title: page.title, ts: exchanges[0]?.date ?? new Date() },
    software: 'LinkSnap tests',
    created: new Date(),
    signer: testSigner,
  });
}

/**
 * Every WARC record of a WACZ, parsed with warcio: type, target URL and payload digest check.
 * A `revisit` (ADR 0017) has no payload: its digest checks when the package holds a response
 * with that payload digest (the record it refers to), so the package stands alone.
 */
export async function readWaczRecords(wacz: Uint8Array) {
  const files = unzipSync(wacz);
  const out: { file: string; type: string; url: string; digest: string; payloadDigestOk: boolean }[] = [];
  for (const [name, data] of Object.entries(files)) {
    if (!name.startsWith('archive/')) continue;
    for await (const record of new WARCParser(once(data))) {
      const payload = await record.readFully(false);
      const declared = record.warcHeader('WARC-Payload-Digest') ?? '';
      const ok = !declared || record.warcType === 'revisit' || declared === sha256(payload);
      const type = record.warcType ?? '';
      out.push({ file: name, type, url: record.warcTargetURI ?? '', digest: declared, payloadDigestOk: ok });
    }
  }
  const stored = new Set(out.filter((r) => r.type === 'response').map((r) => r.digest));
  for (const r of out) if (r.type === 'revisit') r.payloadDigestOk = stored.has(r.digest);
  return { files, records: out };
}
