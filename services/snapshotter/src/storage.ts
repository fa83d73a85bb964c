/**
 * Artifact upload: each captured body is stored under its own sha256 (`blobKey`, ADR 0017)
 * through the shared ObjectStorage, with content type, size and digest recorded. A body another
 * version already stored lands on the same key with the same bytes, so nothing new is stored;
 * the API records the references when it writes the result. Nothing here ever deletes: a body
 * may be shared, and one no version references (a failed or stale attempt's) is removed by the
 * API's sweeper after a grace period. A stale attempt (one another attempt took over) still
 * writes nothing, which `storeArtifacts` checks before every write.
 */
import { AppError, ARTIFACT_KINDS, type Artifact, isAppError, type ObjectStorage } from '@linksnap/shared';
import type { CapturedArtifact } from './capture/index.js';

export async function uploadArtifact(
  storage: ObjectStorage,
  { kind, body, contentType: ownType }: CapturedArtifact,
): Promise<Artifact> {
  const contentType = ownType ?? ARTIFACT_KINDS[kind].contentType;
  try {
    const object = await storage.putBlob(body, contentType);
    return { kind, key: object.key, contentType, bytes: object.bytes, sha256: object.sha256 };
  } catch (err) {
    throw isAppError(err)
      ? err
      : new AppError('STORAGE_UNAVAILABLE', `Storing the ${kind} artifact failed.`, { cause: err });
  }
}

/**
 * Stores artifacts as the capture hands them over, while it goes on, and the rest once it is
 * done. Every write is preceded by a check that this attempt still holds the job (`stale`);
 * the artifacts offered early each check for themselves, the rest share one check.
 */
export function storeArtifacts(storage: ObjectStorage, stale: () => Promise<boolean>) {
  const stored = new Map<CapturedArtifact, Promise<Artifact | null>>();
  const store = (artifact: CapturedArtifact, check: Promise<boolean> = stale()) => {
    const write = check.then((isStale) => (isStale ? null : uploadArtifact(storage, artifact)));
    write.catch(() => undefined); // awaited in all() or settled()
    stored.set(artifact, write);
    return write;
  };
  return {
    store: (artifact: CapturedArtifact) => void store(artifact),
    /** Every artifact stored, in order; null when the attempt turned out stale. */
    all: async (artifacts: CapturedArtifact[]): Promise<Artifact[] | null> => {
      const check = artifacts.every((a) => stored.has(a)) ? undefined : stale();
      const written = await Promise.all(artifacts.map((a) => stored.get(a) ?? store(a, check)));
      return written.some((a) => a === null) ? null : (written as Artifact[]);
    },
    /** Resolves once no write of this attempt is in flight. */
    settled: async () => {
      await Promise.allSettled(stored.values());
    },
  };
}
