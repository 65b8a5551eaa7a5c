import type { Migration } from '../../platform/database/index.ts';

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
];
