/**
 * The embedded S3-compatible server (s3rver) used when S3_ENDPOINT is unset: objects live on
 * disk under DATA_DIR/s3. It speaks the same protocol as MinIO, so the product keeps one
 * storage code path (the `minio` client) in every setup.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

/** s3rver's fixed credentials. */
export const EMBEDDED_S3_ACCESS_KEY = 'S3RVER';
export const EMBEDDED_S3_SECRET_KEY = 'S3RVER';

export interface EmbeddedS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  close(): Promise<void>;
}

export async function startEmbeddedS3(options: {
  directory: string;
  host?: string;
  port?: number;
}): Promise<EmbeddedS3> {
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    // Path-style only: virtual-host buckets would need DNS names for each bucket.
    vhostBuckets: false,
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    accessKey: EMBEDDED_S3_ACCESS_KEY,
    secretKey: EMBEDDED_S3_SECRET_KEY,
    close: () => server.close(),
  };
}
