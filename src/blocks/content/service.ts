/**
 * The content block's parts over its one database: reading the archive, changing it, what
 * viewers watched, and the home rows. HTTP routes and contract handlers are thin layers on top.
 */
import {
  databaseHealth,
  type BlockDatabase,
  type DatabaseHealth,
} from '../../platform/database/index.ts';
import { Archive } from './archive.ts';
import { HomeRows } from './home.ts';
import { HOME_CACHE_MS, ROW_SIZE, type ContentDB } from './models.ts';
import { ContentReads } from './reads.ts';
import { Viewers } from './viewer.ts';
import { Watching } from './watching.ts';
import { ContentWrites } from './writes.ts';

export interface ServiceOptions {
  /** The clock, for tests. */
  now?: () => number;
  homeCacheMs?: number;
}

export class ContentService {
  readonly reads: ContentReads;
  readonly writes: ContentWrites;
  readonly watching: Watching;
  readonly home: HomeRows;
  readonly archive: Archive;
  readonly viewers: Viewers;

  constructor(
    private readonly database: BlockDatabase<ContentDB>,
    { now = Date.now, homeCacheMs = HOME_CACHE_MS }: ServiceOptions = {},
  ) {
    const db = database.db;
    this.reads = new ContentReads(db, database.dialect);
    this.home = new HomeRows(db, this.reads, now, homeCacheMs, async (userId) => [
      {
        id: 'continue_event',
        title: 'Continue the event',
        items: await this.viewers.continueEvents(userId, ROW_SIZE.continue_watching),
      },
      {
        id: 'my_list',
        title: 'My list',
        items: (await this.viewers.list(userId, { limit: ROW_SIZE.catalog, offset: 0 })).items,
      },
    ]);
    this.archive = new Archive(db);
    this.writes = new ContentWrites(db, this.reads, this.archive, now, () => this.home.forget());
    this.watching = new Watching(db, this.reads, now);
    this.viewers = new Viewers(db, this.reads, this.archive, now);
  }

  health(): Promise<DatabaseHealth> {
    return databaseHealth(this.database.db);
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
