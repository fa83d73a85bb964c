/**
 * Object storage: the one code path for every artifact read and write, through the `minio`
 * client against any S3-compatible endpoint (MinIO in compose, the embedded server by default).
 * Uploads always pass the object size, so they are single requests (no multipart).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import * as Minio from 'minio';
import type { Config } from './config.js';
import { AppError, NETWORK_ERROR_CODES } from './errors.js';
import { blobKey } from './jobs.js';

export interface StorageSettings {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  region: string;
}

/** An object found by `listDetailed`: its key, size and when it was last written. */
export interface ListedObject {
  key: string;
  bytes: number;
  lastModified: Date;
}

export interface StoredObject {
  key: string;
  bytes: number;
  sha256: string;
  contentType: string;
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket';
}

/** Maps transport failures to STORAGE_UNAVAILABLE (retryable); others pass through. */
function storageError(err: unknown, action: string): unknown {
  const code = (err as { code?: string })?.code;
  if (code && NETWORK_ERROR_CODES.has(code)) {
    return new AppError('STORAGE_UNAVAILABLE', `Object storage could not ${action}.`, { cause: err });
  }
  if (err instanceof AppError) return err;
  return new AppError('STORAGE_UNAVAILABLE', `Object storage failed to ${action}.`, { cause: err });
}

export class ObjectStorage {
  readonly client: Minio.Client;
  readonly bucket: string;

  constructor(settings: StorageSettings) {
    const url = new URL(settings.endpoint);
    const useSSL = url.protocol === 'https:';
    this.client = new Minio.Client({
      endPoint: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: settings.accessKey,
      secretKey: settings.secretKey,
      region: settings.region,
      pathStyle: true,
      // Above any artifact we store, so every upload is one PUT (s3rver has no multipart).
      partSize: 1024 * 1024 * 1024,
    });
    this.bucket = settings.bucket;
  }

  async ensureBucket(): Promise<void> {
    try {
      if (!(await this.client.bucketExists(this.bucket))) await this.client.makeBucket(this.bucket);
    } catch (err) {
      const code = (err as { code?: string })?.code;
      if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') return;
      throw storageError(err, 'create the bucket');
    }
  }

  async put(key: string, body: Buffer, contentType: string): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(body).digest('hex');
    try {
      await this.client.putObject(this.bucket, key, body, body.length, {
        'Content-Type': contentType,
        'x-amz-meta-sha256': sha256,
      });
    } catch (err) {
      throw storageError(err, `store ${key}`);
    }
    return { key, bytes: body.length, sha256, contentType };
  }

  /**
   * Stores a body under its own sha256 (`blobKey`). The PUT is made even when the body is
   * already there: it refreshes the object's last-modified time, which is what keeps the sweeper
   * (grace period on that time) off a body a capture still in flight is about to reference.
   */
  async putBlob(body: Buffer, contentType: string): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(body).digest('hex');
    return this.put(blobKey(sha256), body, contentType);
  }

  /** Streams an object; NOT_FOUND when it does not exist. */
  async get(key: string): Promise<Readable> {
    try {
      return await this.client.getObject(this.bucket, key);
    } catch (err) {
      if (isNotFound(err)) throw new AppError('NOT_FOUND', 'The stored object does not exist.');
      throw storageError(err, `read ${key}`);
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    const stream = await this.get(key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.statObject(this.bucket, key);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw storageError(err, `stat ${key}`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    try {
      const stream = this.client.listObjectsV2(this.bucket, prefix, true);
      for await (const item of stream) {
        const name = (item as { name?: string }).name;
        if (name) keys.push(name);
      }
    } catch (err) {
      throw storageError(err, `list ${prefix}`);
    }
    return keys;
  }

  /** Every object under a prefix with its size and last-modified time (the sweeper's view). */
  async listDetailed(prefix: string): Promise<ListedObject[]> {
    const found: ListedObject[] = [];
    try {
      const stream = this.client.listObjectsV2(this.bucket, prefix, true);
      for await (const item of stream) {
        const { name, size, lastModified } = item as { name?: string; size?: number; lastModified?: Date };
        if (name) found.push({ key: name, bytes: size ?? 0, lastModified: lastModified ?? new Date(0) });
      }
    } catch (err) {
      throw storageError(err, `list ${prefix}`);
    }
    return found;
  }

  /** Removes one object; an object already gone is not an error. */
  async remove(key: string): Promise<void> {
    try {
      await this.client.removeObject(this.bucket, key);
    } catch (err) {
      if (isNotFound(err)) return;
      throw storageError(err, `remove ${key}`);
    }
  }

  /** Removes every object under a prefix (one snapshot's artifacts). */
  async removePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    try {
      for (const key of keys) await this.client.removeObject(this.bucket, key);
    } catch (err) {
      throw storageError(err, `remove ${prefix}`);
    }
    return keys.length;
  }

  /** Readiness probe: the bucket is reachable. */
  async ping(): Promise<void> {
    try {
      await this.client.bucketExists(this.bucket);
    } catch (err) {
      throw storageError(err, 'be reached');
    }
  }
}

/** The storage client for a parsed config; every process builds it here, the same way. */
export function storageFromConfig(
  config: Pick<Config, 'S3_ENDPOINT' | 'S3_ACCESS_KEY' | 'S3_SECRET_KEY' | 'S3_BUCKET' | 'S3_REGION'>,
): ObjectStorage {
  if (!config.S3_ENDPOINT || !config.S3_ACCESS_KEY || !config.S3_SECRET_KEY) {
    throw new Error('S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY are required here.');
  }
  return new ObjectStorage({
    endpoint: config.S3_ENDPOINT,
    accessKey: config.S3_ACCESS_KEY,
    secretKey: config.S3_SECRET_KEY,
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
  });
}
