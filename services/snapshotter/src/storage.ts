/**
 * Artifact upload: each captured body goes to `artifactKey(snapshotId, kind)` through the shared
 * ObjectStorage (content type, size and sha256 recorded). Keys are deterministic, so a retried
 * job simply overwrites its previous attempt's objects; a stale attempt (one another attempt
 * took over) must therefore write nothing, which `storeArtifacts` checks before every write.
 */
import { AppError, ARTIFACT_KINDS, type Artifact, artifactKey, isAppError, type ObjectStorage } from '@linksnap/shared';
import type { CapturedArtifact } from './capture/index.js';

export async function uploadArtifact(
  storage: ObjectStorage,
  snapshotId: string,
  { kind, body, contentType: ownType, ext }: CapturedArtifact,
): Promise<Artifact> {
  const contentType = ownType ?? ARTIFACT_KINDS[kind].contentType;
  try {
    const object = await storage.put(artifactKey(snapshotId, kind, ext), body, contentType);
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
export function storeArtifacts(storage: ObjectStorage, snapshotId: string, stale: () => Promise<boolean>) {
  const stored = new Map<CapturedArtifact, Promise<Artifact | null>>();
  const store = (artifact: CapturedArtifact, check: Promise<boolean> = stale()) => {
    const write = check.then((isStale) => (isStale ? null : uploadArtifact(storage, snapshotId, artifact)));
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
    /** Removes the objects this attempt wrote, unless another attempt has the job (same keys). */
    discard: async () => {
      const written = (await Promise.allSettled(stored.values())).flatMap((r) =>
        r.status === 'fulfilled' && r.value ? [r.value.key] : [],
      );
      if (written.length === 0 || (await stale())) return;
      for (const key of written) await storage.removePrefix(key);
    },
  };
}
