/**
 * Tag rules: names are trimmed, 1–64 characters in any script, unique per user
 * case-insensitively. Renaming onto a taken name is a conflict unless merging is asked for.
 */
import { AppError } from '@linksnap/shared';
import { isUniqueViolation, isUuid } from '../db/errors.js';
import type { TagRow } from '../db/schema.js';
import type { TagCount, TagsRepository } from '../db/tags.repository.js';

const taken = (existing: TagRow) =>
  new AppError('TAG_ALREADY_EXISTS', `A tag named "${existing.name}" already exists.`, {
    extensions: { tagId: existing.id },
  });

export class TagsService {
  constructor(private readonly tags: TagsRepository) {}

  list(userId: string, sort: 'name' | 'count'): Promise<TagCount[]> {
    return this.tags.list(userId, sort);
  }

  async create(userId: string, name: string): Promise<TagCount> {
    const row = await this.tags.create(userId, name);
    if (!row) {
      const existing = await this.tags.findByName(userId, name);
      throw existing ? taken(existing) : new AppError('TAG_ALREADY_EXISTS');
    }
    return { id: row.id, name: row.name, linkCount: 0, schedule: null };
  }

  async rename(userId: string, id: string, name: string, merge: boolean): Promise<TagCount> {
    const tag = await this.owned(userId, id);
    const existing = await this.tags.findByName(userId, name);
    if (existing && existing.id !== tag.id) {
      if (!merge) throw taken(existing);
      await this.tags.merge(tag.id, existing.id);
      return this.view(existing);
    }
    try {
      await this.tags.rename(tag.id, name);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('TAG_ALREADY_EXISTS');
      throw err;
    }
    return this.view({ ...tag, name });
  }

  async merge(userId: string, id: string, intoId: string): Promise<TagCount> {
    const source = await this.owned(userId, id);
    const target = await this.owned(userId, intoId);
    if (source.id !== target.id) await this.tags.merge(source.id, target.id);
    return this.view(target);
  }

  async delete(userId: string, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.tags.delete(userId, id)))
      throw new AppError('NOT_FOUND', 'The tag does not exist.');
  }

  private async owned(userId: string, id: string): Promise<TagRow> {
    const tag = isUuid(id) ? await this.tags.findOwned(userId, id) : null;
    if (!tag) throw new AppError('NOT_FOUND', 'The tag does not exist.');
    return tag;
  }

  private async view(tag: TagRow): Promise<TagCount> {
    return { id: tag.id, name: tag.name, linkCount: await this.tags.count(tag.id), schedule: tag.schedule };
  }
}
