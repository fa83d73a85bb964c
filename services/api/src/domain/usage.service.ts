/**
 * Storage use (`GET /v1/usage`, ADR 0017): what a user's versions would take if nothing were
 * shared (`bytesLogical`) next to what they hold in object storage (`bytesStored`, each distinct
 * body once), so the saving of content addressing is visible. Administrators may ask for the
 * whole instance.
 */
import { AppError } from '@linksnap/shared';
import type { BlobsRepository, Usage } from '../db/blobs.repository.js';

export type UsageScope = 'user' | 'instance';

export interface AdminCheck {
  isAdmin(userId: string): Promise<boolean>;
}

export class UsageService {
  constructor(
    private readonly blobs: BlobsRepository,
    private readonly admins: AdminCheck,
  ) {}

  async usage(userId: string, scope: UsageScope): Promise<Usage & { scope: UsageScope }> {
    if (scope === 'instance' && !(await this.admins.isAdmin(userId))) {
      throw new AppError('FORBIDDEN', 'Only an administrator can read the instance usage.');
    }
    return { scope, ...(await this.blobs.usage(scope === 'instance' ? null : userId)) };
  }
}
