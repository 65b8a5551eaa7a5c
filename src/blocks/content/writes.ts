/**
 * Changing the archive: registering an item (idempotent on its media path, which is what lets
 * the library scanner repeat a timed-out call), patching it and deleting it. Every change is
 * committed first, then clears the home rows and is announced by its event.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isUniqueViolation, toJsonText } from '../../platform/database/index.ts';
import {
  ContentErrors,
  toContent,
  type ContentDB,
  type ContentItem,
  type ContentPatchInput,
  type ContentsTable,
  type NewContentInput,
  type Via,
} from './models.ts';
import type { Archive } from './archive.ts';
import type { ContentReads } from './reads.ts';
import { catalogId, checkFields } from './rules.ts';

/**
 * The columns a set of fields writes; fields not given are left out (a patch touches only those).
 */
function columns(f: ContentPatchInput): Partial<ContentsTable> {
  const out: Partial<ContentsTable> = {};
  if (f.title !== undefined)
    Object.assign(out, { title: f.title.trim(), title_lc: f.title.trim().toLowerCase() });
  if (f.description !== undefined)
    Object.assign(out, { description: f.description, description_lc: f.description.toLowerCase() });
  if (f.catalog !== undefined)
    Object.assign(out, { catalog: f.catalog.trim(), catalog_id: catalogId(f.catalog) });
  if (f.metadata !== undefined) out.metadata = toJsonText(f.metadata);
  for (const k of ['media_path', 'file_size', 'duration_seconds', 'thumbnail_url'] as const)
    if (f[k] !== undefined) Object.assign(out, { [k]: f[k] });
  return out;
}

/** What content_added and content_updated carry: what a search index needs. */
const indexFields = (c: ContentItem) => ({
  content_id: c.id,
  title: c.title,
  description: c.description,
  catalog: c.catalog,
  duration_seconds: c.duration_seconds,
  thumbnail_url: c.thumbnail_url,
  added_at: c.added_at,
});

export class ContentWrites {
  constructor(
    private readonly db: Kysely<ContentDB>,
    private readonly reads: ContentReads,
    private readonly archive: Archive,
    private readonly now: () => number,
    /** Called after every change (the home rows are cleared). */
    private readonly changed: () => void,
  ) {}

  /**
   * Idempotent on media_path: an existing item is returned with created=false, unchanged and
   * without an event.
   */
  async create(
    input: NewContentInput,
    via: Via,
  ): Promise<{ content: ContentItem; created: boolean }> {
    checkFields(input);
    const existing = await this.reads.byPath(input.media_path);
    if (existing) return { content: existing, created: false };
    const now = this.now();
    const row = {
      file_size: null,
      duration_seconds: null,
      thumbnail_url: null,
      metadata: toJsonText({}),
      ...columns(input),
      id: randomUUID(),
      added_at: now,
      updated_at: now,
    } as ContentsTable;
    try {
      await this.db.insertInto('contents').values(row).execute();
    } catch (err) {
      // Another call registered the same path between our lookup and our insert.
      const raced = isUniqueViolation(err) ? await this.reads.byPath(input.media_path) : null;
      if (raced) return { content: raced, created: false };
      throw err;
    }
    await this.archive.place(row);
    const content = toContent(row);
    this.changed();
    await via.publishOrLog('content_added', indexFields(content));
    return { content, created: true };
  }

  /** Changes only the fields present in the patch; `{}` changes nothing and sends no event. */
  async update(id: string, patch: ContentPatchInput, via: Via): Promise<ContentItem> {
    checkFields(patch);
    const before = await this.reads.require(id);
    const set = columns(patch);
    if (Object.keys(set).length === 0) return before;
    try {
      await this.db
        .updateTable('contents')
        .set({ ...set, updated_at: this.now() })
        .where('id', '=', id)
        .execute();
    } catch (err) {
      const other =
        isUniqueViolation(err) && patch.media_path
          ? await this.reads.byPath(patch.media_path)
          : null;
      throw other ? ContentErrors.exists(other.media_path, other.id) : err;
    }
    if (set.media_path !== undefined || set.catalog_id !== undefined)
      await this.archive.place({
        ...before,
        ...set,
        catalog_id: set.catalog_id ?? catalogId(before.catalog),
      });
    const content = await this.reads.require(id);
    this.changed();
    await via.publishOrLog('content_updated', indexFields(content));
    return content;
  }

  /** Deletes an item with its progress and plays; false when there was none. */
  async remove(id: string, via: Via): Promise<boolean> {
    const c = await this.reads.get(id);
    if (!c) return false;
    await this.db.deleteFrom('contents').where('id', '=', id).execute();
    this.changed();
    await via.publishOrLog('content_deleted', { content_id: id, media_path: c.media_path });
    return true;
  }
}
