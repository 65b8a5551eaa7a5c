import type { Migration } from '../../platform/database/index.ts';
import { structureRow } from './structure-row.ts';

export const migrations: Migration[] = [
  {
    id: '0001_contents_progress_plays',
    async up(db) {
      await db.schema
        .createTable('contents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('title_lc', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('description_lc', 'text', (c) => c.notNull())
        .addColumn('catalog', 'text', (c) => c.notNull())
        .addColumn('catalog_id', 'text', (c) => c.notNull())
        .addColumn('duration_seconds', 'double precision')
        .addColumn('file_size', 'bigint')
        .addColumn('media_path', 'text', (c) => c.notNull().unique())
        .addColumn('thumbnail_url', 'text')
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('contents_added')
        .on('contents')
        .columns(['added_at', 'id'])
        .execute();
      await db.schema
        .createIndex('contents_catalog')
        .on('contents')
        .columns(['catalog_id', 'added_at'])
        .execute();

      await db.schema
        .createTable('progress')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('content_id', 'text', (c) =>
          c.notNull().references('contents.id').onDelete('cascade'),
        )
        .addColumn('position_seconds', 'double precision', (c) => c.notNull())
        .addColumn('duration_seconds', 'double precision', (c) => c.notNull())
        .addColumn('percent', 'double precision', (c) => c.notNull())
        .addColumn('finished', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('progress_pk', ['user_id', 'content_id'])
        .execute();
      await db.schema
        .createIndex('progress_user_recent')
        .on('progress')
        .columns(['user_id', 'finished', 'updated_at'])
        .execute();
      await db.schema.createIndex('progress_content').on('progress').column('content_id').execute();

      await db.schema
        .createTable('plays')
        .addColumn('content_id', 'text', (c) =>
          c.notNull().references('contents.id').onDelete('cascade'),
        )
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('played_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('plays_recent')
        .on('plays')
        .columns(['played_at', 'content_id'])
        .execute();
      await db.schema
        .createIndex('plays_content')
        .on('plays')
        .columns(['content_id', 'played_at'])
        .execute();
    },
  },
  {
    // content:v2: where each item sits in the archive, in a table of its own so that the
    // contents table (and with it every content:v1 answer) stays exactly as it was.
    id: '0002_structure',
    async up(db) {
      await db.schema
        .createTable('structure')
        .addColumn('content_id', 'text', (c) =>
          c.primaryKey().references('contents.id').onDelete('cascade'),
        )
        .addColumn('catalog_id', 'text', (c) => c.notNull())
        .addColumn('season', 'text')
        .addColumn('year', 'integer')
        .addColumn('event', 'text')
        .addColumn('event_id', 'text')
        .addColumn('buy_in', 'bigint')
        .addColumn('day', 'integer')
        .addColumn('flight', 'text')
        .addColumn('episode_number', 'integer')
        .addColumn('part', 'integer')
        .addColumn('parts_total', 'integer')
        .addColumn('final_table', 'integer', (c) => c.notNull())
        .addColumn('episode_order', 'text', (c) => c.notNull())
        .addColumn('corrected', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('structure_event')
        .on('structure')
        .columns(['event_id', 'episode_order'])
        .execute();
      await db.schema
        .createIndex('structure_catalog')
        .on('structure')
        .columns(['catalog_id', 'year'])
        .execute();
      // Items registered before this version get their structure from their media path.
      const items = (await db
        .selectFrom('contents')
        .select(['id', 'media_path', 'catalog_id'])
        .execute()) as Array<{ id: string; media_path: string; catalog_id: string }>;
      for (const item of items)
        await db.insertInto('structure').values(structureRow(item)).execute();
    },
  },
  {
    // content:v2: each viewer's list and settings (autoplay, language).
    id: '0003_my_list_viewer_settings',
    async up(db) {
      await db.schema
        .createTable('my_list')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('content_id', 'text', (c) =>
          c.notNull().references('contents.id').onDelete('cascade'),
        )
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('my_list_pk', ['user_id', 'content_id'])
        .execute();
      await db.schema
        .createIndex('my_list_recent')
        .on('my_list')
        .columns(['user_id', 'added_at'])
        .execute();
      await db.schema
        .createTable('viewer_settings')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('autoplay', 'integer', (c) => c.notNull())
        .addColumn('language', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
];
