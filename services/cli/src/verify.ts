/**
 * `snap verify FILE [--key KEY]`: checks a downloaded WACZ offline, with the same verifier the
 * platform uses (packages/shared/src/wacz.ts): every file against datapackage.json, the
 * manifest against its digest, the signature, and with --key (the instance's base64 public
 * key) that the instance signed it. Needs no server and no login.
 */
import { readFileSync } from 'node:fs';
import { ERROR_CATALOG, isAppError, verifyWacz, type WaczVerification } from '@linksnap/shared';
import { CliError } from './client.js';

export function verifyFile(file: string, key: string | undefined): WaczVerification {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, 2);
  }
  try {
    return verifyWacz(bytes, key ? { trustedKeys: [key] } : {});
  } catch (err) {
    if (!isAppError(err)) throw err;
    const problem = { code: err.code, title: ERROR_CATALOG[err.code].title, detail: err.detail };
    throw new CliError(`${problem.title}: ${problem.detail}`, 1, problem);
  }
}

export function describeVerification(file: string, result: WaczVerification, keyChecked: boolean): string {
  return [
    `${file}: valid`,
    `  files:     ${result.files.join(', ')}`,
    `  signed:    ${result.created ?? '-'} by ${result.software ?? '-'}`,
    `  key:       ${result.publicKey}`,
    keyChecked
      ? '  the key is the one given with --key'
      : '  (give the instance key with --key to check who signed it)',
  ].join('\n');
}
