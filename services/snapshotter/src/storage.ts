/**
 * Artifact upload: each captured body goes to `artifactKey(snapshotId, kind)` through the shared
 * ObjectStorage (content type, size and sha256 recorded). Keys are deterministic, so a retried
 * job simply overwrites its previous attempt's objects.
 */
import { AppError, ARTIFACT_KINDS, type Artifact, artifactKey, isAppError, type ObjectStorage } from '@linksnap/shared';
import type { CapturedArtifact } from './capture/index.js';

export async function uploadArtifacts(
  storage: ObjectStorage,
  snapshotId: string,
  captured: CapturedArtifact[],
): Promise<Artifact[]> {
  // Uploads go out side by side: the slowest artifact, not their sum, sets the upload time.
  return Promise.all(
    captured.map(async ({ kind, body, contentType: ownType, ext }): Promise<Artifact> => {
      const contentType = ownType ?? ARTIFACT_KINDS[kind].contentType;
      try {
        const object = await storage.put(artifactKey(snapshotId, kind, ext), body, contentType);
        return { kind, key: object.key, contentType, bytes: object.bytes, sha256: object.sha256 };
      } catch (err) {
        throw isAppError(err)
          ? err
          : new AppError('STORAGE_UNAVAILABLE', `Storing the ${kind} artifact failed.`, { cause: err });
      }
    }),
  );
}
