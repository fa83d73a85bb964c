/**
 * WACZ 1.1.1 packages: writing one from a WARC and its index, and verifying one. Shared so the
 * snapshotter (which writes), the API and the CLI (which verify) agree on one layout:
 *
 *   archive/data.warc.gz     the recording (WARC 1.1, records gzipped one by one)
 *   indexes/index.cdxj       its sorted CDXJ index
 *   pages/pages.jsonl        the captured page (url, title, timestamp)
 *   datapackage.json         Frictionless manifest: sha256 and size of each file above
 *   datapackage-digest.json  sha256 of datapackage.json and its signature (archive-signing.ts)
 *
 * Entries are stored, not deflated: the WARC is already gzipped and replay reads ranges of it.
 */
import { createHash } from 'node:crypto';
import { unzipSync, zipSync } from 'fflate';
import { z } from 'zod';
import { type ArchiveSigner, verifyArchiveSignature } from './archive-signing.js';
import { AppError } from './errors.js';

export const WACZ_VERSION = '1.1.1';
export const WACZ_CONTENT_TYPE = 'application/wacz+zip';
const DATAPACKAGE = 'datapackage.json';
const DIGEST = 'datapackage-digest.json';

export interface WaczPage {
  url: string;
  title: string | null;
  /** When the page was captured. */
  ts: Date;
}

export interface WaczInput {
  warc: Uint8Array;
  cdxj: string;
  page: WaczPage;
  /** Name and version of the writer, e.g. "LinkSnap 0.1.0". */
  software: string;
  created: Date;
  signer: ArchiveSigner;
}

const resourceSchema = z.object({
  name: z.string(),
  path: z.string(),
  hash: z.string(),
  bytes: z.number().int().nonnegative(),
});
const datapackageSchema = z.object({
  profile: z.literal('data-package'),
  wacz_version: z.string(),
  resources: z.array(resourceSchema).min(1),
  created: z.string().optional(),
  software: z.string().optional(),
  mainPageUrl: z.string().optional(),
});
const signedDataSchema = z.object({
  hash: z.string(),
  signature: z.string(),
  publicKey: z.string(),
  created: z.string().optional(),
  software: z.string().optional(),
});
const digestSchema = z.object({ path: z.literal(DATAPACKAGE), hash: z.string(), signedData: signedDataSchema });

export interface WaczVerification {
  /** base64 SPKI of the key that signed the package. */
  publicKey: string;
  /** When the signature says the package was made. */
  created: string | null;
  software: string | null;
  /** Every file the manifest lists, all of which matched. */
  files: string[];
}

function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function pagesJsonl(page: WaczPage): Uint8Array {
  const header = { format: 'json-pages-1.0', id: 'pages', title: 'All Pages' };
  const entry = {
    id: createHash('sha1').update(page.url).digest('hex'),
    url: page.url,
    title: page.title ?? page.url,
    ts: page.ts.toISOString(),
  };
  return Buffer.from(`${JSON.stringify(header)}\n${JSON.stringify(entry)}\n`, 'utf8');
}

/** What a package says about itself besides its files (datapackage.json and its digest). */
export interface WaczSeal {
  title: string;
  /** Name and version of the writer, e.g. "LinkSnap 0.1.0". */
  software: string;
  created: Date;
  signer: ArchiveSigner;
  /** The page a replay opens first. */
  mainPage?: { url?: string; ts?: string };
}

function manifest(files: Record<string, Uint8Array>, seal: WaczSeal): Uint8Array {
  const resources = Object.entries(files).map(([path, data]) => ({
    name: path.slice(path.lastIndexOf('/') + 1),
    path,
    hash: sha256(data),
    bytes: data.length,
  }));
  const datapackage = {
    profile: 'data-package',
    wacz_version: WACZ_VERSION,
    title: seal.title,
    created: seal.created.toISOString(),
    software: seal.software,
    ...(seal.mainPage?.url ? { mainPageUrl: seal.mainPage.url } : {}),
    ...(seal.mainPage?.ts ? { mainPageDate: seal.mainPage.ts } : {}),
    resources,
  };
  return Buffer.from(JSON.stringify(datapackage, null, 2), 'utf8');
}

function signedDigest(datapackage: Uint8Array, seal: WaczSeal): Uint8Array {
  const hash = sha256(datapackage);
  const signedData = {
    hash,
    created: seal.created.toISOString(),
    software: seal.software,
    signature: seal.signer.sign(hash),
    publicKey: seal.signer.publicKey,
  };
  return Buffer.from(JSON.stringify({ path: DATAPACKAGE, hash, signedData }, null, 2), 'utf8');
}

/**
 * Zips `files` (archive/, indexes/, pages/) with datapackage.json listing the sha256 and size
 * of each and datapackage-digest.json signing that manifest: the one way a package is sealed,
 * for a capture (packWacz) and for a merged export alike.
 */
export function sealWacz(files: Record<string, Uint8Array>, seal: WaczSeal): Buffer {
  const datapackage = manifest(files, seal);
  const zipped = zipSync(
    { ...files, [DATAPACKAGE]: datapackage, [DIGEST]: signedDigest(datapackage, seal) },
    { level: 0, mtime: seal.created },
  );
  return Buffer.from(zipped.buffer, zipped.byteOffset, zipped.length);
}

/** Builds the signed WACZ package of one capture. */
export function packWacz(input: WaczInput): Buffer {
  const files: Record<string, Uint8Array> = {
    'archive/data.warc.gz': input.warc,
    'indexes/index.cdxj': Buffer.from(input.cdxj, 'utf8'),
    'pages/pages.jsonl': pagesJsonl(input.page),
  };
  return sealWacz(files, {
    title: input.page.title ?? input.page.url,
    software: input.software,
    created: input.created,
    signer: input.signer,
    mainPage: { url: input.page.url, ts: input.page.ts.toISOString() },
  });
}

function unzip(wacz: Uint8Array): Record<string, Uint8Array> {
  try {
    return unzipSync(wacz);
  } catch (err) {
    throw new AppError('ARCHIVE_INVALID', 'The file is not a readable zip archive.', { cause: err });
  }
}

function parseJson<T>(files: Record<string, Uint8Array>, name: string, schema: z.ZodType<T>): T {
  const data = files[name];
  if (!data) throw new AppError('ARCHIVE_INVALID', `The archive has no ${name}.`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    throw new AppError('ARCHIVE_TAMPERED', `${name} is not valid JSON.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new AppError('ARCHIVE_TAMPERED', `${name} does not have the WACZ shape.`);
  return parsed.data;
}

function checkResources(files: Record<string, Uint8Array>, resources: z.infer<typeof resourceSchema>[]): string[] {
  for (const resource of resources) {
    const data = files[resource.path];
    if (!data) throw new AppError('ARCHIVE_TAMPERED', `${resource.path} is listed in ${DATAPACKAGE} but missing.`);
    if (data.length !== resource.bytes || sha256(data) !== resource.hash) {
      throw new AppError('ARCHIVE_TAMPERED', `${resource.path} does not match its hash in ${DATAPACKAGE}.`);
    }
  }
  const listed = new Set([...resources.map((r) => r.path), DATAPACKAGE, DIGEST]);
  const extra = Object.keys(files).find((name) => !listed.has(name) && !name.endsWith('/'));
  if (extra) throw new AppError('ARCHIVE_TAMPERED', `${extra} is in the archive but not in ${DATAPACKAGE}.`);
  return resources.map((r) => r.path);
}

/**
 * Verifies a WACZ: every file against datapackage.json, datapackage.json against the digest,
 * the digest's signature against its public key and, when `trustedKeys` is given, that key
 * against them. Throws ARCHIVE_INVALID (not a WACZ) or ARCHIVE_TAMPERED (changed or unsigned).
 */
export function verifyWacz(wacz: Uint8Array, options: { trustedKeys?: readonly string[] } = {}): WaczVerification {
  const files = unzip(wacz);
  const datapackage = parseJson(files, DATAPACKAGE, datapackageSchema);
  const digest = parseJson(files, DIGEST, digestSchema);
  const checked = checkResources(files, datapackage.resources);
  const manifestHash = sha256(files[DATAPACKAGE] as Uint8Array);
  if (digest.hash !== manifestHash || digest.signedData.hash !== manifestHash) {
    throw new AppError('ARCHIVE_TAMPERED', `${DATAPACKAGE} does not match the hash in ${DIGEST}.`);
  }
  const { signature, publicKey, created, software } = digest.signedData;
  if (!verifyArchiveSignature(manifestHash, signature, publicKey)) {
    throw new AppError('ARCHIVE_TAMPERED', `The signature in ${DIGEST} does not verify with its public key.`);
  }
  if (options.trustedKeys && !options.trustedKeys.includes(publicKey)) {
    throw new AppError('ARCHIVE_TAMPERED', 'The archive is signed, but not by a key this instance trusts.');
  }
  return { publicKey, created: created ?? null, software: software ?? null, files: checked };
}
