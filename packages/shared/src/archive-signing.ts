/**
 * The instance's archive signing key: ECDSA P-384, the anonymous signature of the WACZ Signing
 * and Verification spec (webrecorder/specs wacz-auth 0.1.0) as ArchiveWeb.page writes it. The
 * signed message is the UTF-8 `hash` string of datapackage-digest.json ("sha256:<hex>"), hashed
 * with SHA-256; the signature is IEEE P1363 (r‖s, what WebCrypto produces and verifies) in
 * base64; the public key is SubjectPublicKeyInfo DER in base64.
 *
 * The key comes from ARCHIVE_SIGNING_KEY (a PKCS#8 PEM) or, when unset, is created on first
 * start and kept in DATA_DIR/archive-signing-key.pem (mode 0600), like the session secret.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';

export const SIGNING_KEY_FILE = 'archive-signing-key.pem';
const CURVE = 'secp384r1';

export interface ArchiveSigner {
  /** base64 SubjectPublicKeyInfo (DER), as written into every signature. */
  readonly publicKey: string;
  /** The public key as PEM, for publishing. */
  readonly publicKeyPem: string;
  /** base64 IEEE P1363 ECDSA/SHA-256 signature of `message`'s UTF-8 bytes. */
  sign(message: string): string;
}

export function signerFromKey(privateKey: KeyObject): ArchiveSigner {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== CURVE) {
    throw new Error('The archive signing key must be an ECDSA P-384 private key');
  }
  const pub = createPublicKey(privateKey);
  return {
    publicKey: pub.export({ type: 'spki', format: 'der' }).toString('base64'),
    publicKeyPem: pub.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (message) =>
      sign('sha256', Buffer.from(message, 'utf8'), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64'),
  };
}

function readOrCreateKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: CURVE });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // 'wx': two processes starting together keep the one key written first.
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    } catch {
      return readFileSync(file, 'utf8');
    }
    return pem;
  }
}

/** The configured key, or the one kept in DATA_DIR (created on first use). */
export function loadArchiveSigner(config: Pick<Config, 'ARCHIVE_SIGNING_KEY' | 'DATA_DIR'>): ArchiveSigner {
  // A PEM in an environment variable often arrives with its newlines escaped.
  const pem =
    config.ARCHIVE_SIGNING_KEY?.replace(/\\n/g, '\n') ??
    readOrCreateKeyFile(path.join(config.DATA_DIR, SIGNING_KEY_FILE));
  return signerFromKey(createPrivateKey(pem));
}

/** Whether `signature` (base64 P1363) signs `message` under `publicKey` (base64 SPKI DER). */
export function verifyArchiveSignature(message: string, signature: string, publicKey: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    return verify(
      'sha256',
      Buffer.from(message, 'utf8'),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}
