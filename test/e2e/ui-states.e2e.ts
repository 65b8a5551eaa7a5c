/**
 * The web app's own behaviour in a real browser against a real WSOPTV process, with the
 * answers that are hard to provoke (or not served yet) stubbed inside the browser:
 *
 *   real:     sign-in, /api/home, /api/contents, /api/catalogs, /api/progress (save & resume)
 *   stubbed:  thumbnails (JPEGs made by ffmpeg), /api/stream/<id>/info (a signed URL pointing
 *             at a local range-serving file server, or a 429 / 503 / 404), /api/search (the
 *             database-fallback answer), /api/admin/* (support/admin-stub.ts), one login answer
 *             (a suspended account).
 *
 * Items are created through the content API as the admin, so this file needs only the auth
 * and content blocks. The admin also plays the viewer (approval needs the admin block).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithFfmpeg, sampleMp4 } from '../support/media.ts';
import { waitFor } from '../support/wait.ts';
import { Api } from './support/api.ts';
import { stubAdminApi } from './support/admin-stub.ts';
import {
  DESKTOP,
  fetchAsPage,
  launchBrowser,
  newPage,
  PHONE,
  screenshot,
  signIn,
} from './support/browser.ts';
import { startMediaServer, type MediaServer } from './support/media-server.ts';
import { startServer, type Server } from './support/server.ts';

const ADMIN = { email: 'admin@wsoptv.test', password: 'Admin#Pass2024' };
const ITEMS = [
  {
    key: 'main',
    title: '2024 Main Event Final Table',
    catalog: 'WSOP',
    seconds: 12,
    description: 'Nine players, one bracelet: the final table of the 2024 Main Event, every hand.',
  },
  {
    key: 'hr',
    title: '2024 High Roller Day 2',
    catalog: 'WSOP',
    seconds: 6,
    description: 'The $250K Super High Roller plays down to the money.',
  },
  {
    key: 'ladies',
    title: '2023 Ladies Championship',
    catalog: 'WSOP',
    seconds: 8,
    description: '',
  },
  {
    key: 'hcl1',
    title: 'High Stakes Cash Game Episode 1',
    catalog: 'HCL',
    seconds: 6,
    description: 'Hustler Casino Live: $100/$200/$400 with a straddle.',
  },
  {
    key: 'hcl2',
    title: 'High Stakes Cash Game Episode 2',
    catalog: 'HCL',
    seconds: 8,
    description: '',
  },
];

describeWithFfmpeg('e2e: web app states (real server, stubbed edges)', () => {
  let server: Server;
  let media: MediaServer;
  let browser: Browser;
  let work: string;
  const ids: Record<string, string> = {};
  const thumbs: Record<string, Buffer> = {};
  let context: BrowserContext;
  let page: Page;
  /** What /api/stream/<id>/info answers next. */
  let streamAnswer: { status: number; body: unknown } | 'media' | 'media-429' = 'media';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'wsoptv-e2e-ui-'));
    const mp4 = sampleMp4({ seconds: 12, width: 640, height: 360 });
    ITEMS.forEach((it, i) => {
      const jpg = join(work, `${it.key}.jpg`);
      execFileSync('ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-ss',
        String(1 + i * 2),
        '-i',
        mp4,
        '-frames:v',
        '1',
        '-q:v',
        '4',
        jpg,
      ]);
      thumbs[it.key] = readFileSync(jpg);
    });
    media = await startMediaServer({
      'main.mp4': mp4,
      // The stream block refuses the slot on the media request itself, not on /info.
      'limit.mp4': {
        status: 429,
        body: {
          error: {
            code: 'STREAM_LIMIT',
            message:
              'you are already playing 3 video(s), the most allowed per user (3); stop one to start another (queue position 1)',
            correlation_id: 'c-429m',
          },
        },
      },
    });
    server = await startServer({
      name: 'ui-states',
      libraryDir: work,
      admin: ADMIN,
      env: { WSOPTV_SCAN_ON_START: 'false' },
    });
    const api = await new Api(server.url).login(ADMIN.email, ADMIN.password);
    for (const it of ITEMS) {
      const c = await api.call<{ id: string }>('/api/contents', {
        body: {
          title: it.title,
          description: it.description,
          catalog: it.catalog,
          media_path: `${it.catalog}/${it.title}.mp4`,
          duration_seconds: it.seconds,
          file_size: 1_000_000,
          thumbnail_url: `/api/thumbnails/e2e-${it.key}.jpg`,
          metadata: { year: Number(it.title.slice(0, 4)) || 2024 },
        },
      });
      ids[it.key] = c.id;
    }
    // Leave one item without a thumbnail: the placeholder must look intentional.
    await api.call(`/api/contents/${ids.ladies}`, {
      method: 'PATCH',
      body: { thumbnail_url: null },
    });
    browser = await launchBrowser();
    ({ context, page } = await newPage(browser, server.url, DESKTOP));
    await context.route('**/api/thumbnails/*', (route) => {
      const key = /e2e-(\w+)\.jpg/.exec(route.request().url())?.[1] ?? '';
      const body = thumbs[key];
      return body
        ? route.fulfill({ status: 200, contentType: 'image/jpeg', body })
        : route.fulfill({ status: 404 });
    });
    await context.route('**/api/stream/*/info', (route) => {
      if (streamAnswer === 'media' || streamAnswer === 'media-429') {
        const file = streamAnswer === 'media' ? 'main.mp4' : 'limit.mp4';
        return route.fulfill({
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({
            url: `${media.url}/${file}?st=stub-token`,
            expires_at: new Date(Date.now() + 3600_000).toISOString(),
            duration_seconds: 12,
            size: 1,
            mime_type: 'video/mp4',
            tier: 'nas',
          }),
        });
      }
      return route.fulfill({
        status: streamAnswer.status,
        contentType: 'application/json',
        body: JSON.stringify(streamAnswer.body),
      });
    });
    await signIn(page, ADMIN.email, ADMIN.password);
  });

  afterAll(async () => {
    await browser?.close();
    await media?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('home: hero, rows per catalog, thumbnails and a placeholder', async () => {
    await page.goto('/');
    await page.getByTestId('hero').waitFor();
    // newest
    expect(await page.getByTestId('hero').innerText()).toMatch(/High Stakes Cash Game Episode 2/);
    for (const row of ['new_releases', 'catalog:wsop', 'catalog:hcl'])
      await page.getByTestId(`row-${row}`).waitFor();
    await page.waitForFunction(() =>
      [
        ...document.querySelectorAll<HTMLImageElement>('[data-testid="row-new_releases"] img'),
      ].every((i) => i.complete && i.naturalWidth > 0),
    );
    expect(await page.getByTestId('row-new_releases').getByTestId('thumbnail').count()).toBe(4);
    expect(
      await page.getByTestId('row-new_releases').getByTestId('thumbnail-placeholder').count(),
    ).toBe(1);
    await screenshot(page, 'ui-home-desktop');
  });

  it('catalog page lists the catalog', async () => {
    await page
      .getByTestId('row-catalog:hcl')
      .getByRole('link', { name: 'HCL', exact: true })
      .click();
    await page.getByTestId('catalog-page').waitFor();
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="catalog-page"] [data-testid="content-card"]')
          .length === 2,
    );
    await page.getByTestId('nav-catalogs').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="catalog-tile"]').length === 2,
    );
  });

  it('search: suggestions as you type; the fallback notice in simplified mode', async () => {
    await context.route('**/api/search?*', async (route) => {
      const q = new URL(route.request().url()).searchParams.get('q') ?? '';
      await route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          results: [
            {
              content_id: ids.main,
              title: ITEMS[0].title,
              description: ITEMS[0].description,
              catalog: 'WSOP',
              duration_seconds: 12,
              thumbnail_url: '/api/thumbnails/e2e-main.jpg',
              score: 0.7,
            },
          ],
          total: 1,
          page: 1,
          pages: 1,
          query: q,
          engine: 'database',
        }),
      });
    });
    try {
      await page.getByTestId('search-input').pressSequentially('final', { delay: 30 });
      // the real gateway (index or its database fallback)
      await page.getByTestId('search-suggestions').waitFor();
      expect(await page.getByTestId('search-suggestion').allTextContents()).toContain(
        ITEMS[0].title,
      );
      await page.getByTestId('search-input').press('Enter');
      await page.getByTestId('search-page').waitFor();
      await page.getByTestId('search-fallback').waitFor();
      expect(await page.getByTestId('search-fallback').innerText()).toMatch(
        /search is running in a simplified mode/i,
      );
      await page.getByTestId('filter-catalog').selectOption('wsop');
      await page.waitForURL(/catalog=wsop/);
      await page.getByTestId('search-results').getByTestId('content-card').first().waitFor();
      await screenshot(page, 'ui-search-desktop');
    } finally {
      await context.unroute('**/api/search?*');
    }
  });

  it('watch: plays the signed URL, saves progress on leaving, resumes on return', async () => {
    streamAnswer = 'media';
    await page.goto(`/content/${ids.main}`);
    await page.getByTestId('play-button').waitFor();
    await screenshot(page, 'ui-content-desktop');
    await page.getByTestId('play-button').click();
    await page.getByTestId('video').waitFor();
    await page.waitForFunction(
      () => (document.querySelector('video')?.currentTime ?? 0) > 3,
      undefined,
      { timeout: 20_000 },
    );
    expect(media.requests).toBeGreaterThan(0);
    await page.getByTestId('video').hover();
    await page.waitForTimeout(500);
    await screenshot(page, 'ui-watch-desktop');
    const leftAt = await page.getByTestId('video').evaluate((v: HTMLVideoElement) => v.currentTime);
    await page.getByTestId('watch-back').click();
    await page.getByTestId('content-page').waitFor();
    let saved = 0;
    await waitFor(
      async () => {
        saved =
          (await fetchAsPage(page, `/api/progress/${ids.main}`)).body?.progress?.position_seconds ??
          0;
        return saved >= leftAt - 0.1;
      },
      10_000,
      { intervalMs: 200, message: 'progress saved on leaving' },
    );
    await page.reload();
    expect(await page.getByTestId('play-button').innerText()).toMatch(/resume from 0:0\d/i);
    await page.getByTestId('play-button').click();
    await page.getByTestId('resume-toast').waitFor();
    const t = await page.getByTestId('video').evaluate((v: HTMLVideoElement) => v.currentTime);
    expect(t).toBeGreaterThanOrEqual(saved - 0.6);
    expect(
      Math.abs(Number(await page.getByTestId('video').getAttribute('data-resumed-from')) - saved),
    ).toBeLessThan(0.6);
    // Pausing saves too.
    await page.waitForFunction(
      (s) => (document.querySelector('video')?.currentTime ?? 0) > s + 1,
      saved,
    );
    await page.getByTestId('video').evaluate((v: HTMLVideoElement) => v.pause());
    const pausedAt = await page
      .getByTestId('video')
      .evaluate((v: HTMLVideoElement) => v.currentTime);
    await waitFor(
      async () =>
        Math.abs(
          ((await fetchAsPage(page, `/api/progress/${ids.main}`)).body?.progress
            ?.position_seconds ?? 0) - pausedAt,
        ) < 0.3,
      5000,
      { intervalMs: 200, message: 'progress saved on pause' },
    );
    await page.goto('/');
    await page.getByTestId('row-continue_watching').getByTestId('progress-bar').waitFor();
  });

  it('watch: too many screens (429)', async () => {
    streamAnswer = {
      status: 429,
      body: {
        error: {
          code: 'STREAM_LIMIT',
          message:
            'you are already playing 3 video(s), the most allowed per user (3); stop one to start another (queue position 1)',
          correlation_id: 'c-429',
        },
      },
    };
    await page.goto(`/watch/${ids.hr}`);
    await page.getByTestId('stream-error-limit').waitFor();
    const text = await page.getByTestId('stream-error-limit').innerText();
    expect(text).toMatch(/You are already watching on too many screens/);
    expect(text).toMatch(/the most allowed per user \(3\)/);
    await screenshot(page, 'ui-watch-429');
    // "Try again" asks again, and plays once a slot is free.
    streamAnswer = 'media';
    await page.getByTestId('stream-retry').click();
    await page.getByTestId('video').waitFor();
  });

  it('watch: too many screens when the media request itself is refused (429 on the signed URL)', async () => {
    streamAnswer = 'media-429';
    await page.goto(`/watch/${ids.hr}`);
    await page.getByTestId('stream-error-limit').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('stream-error-limit').innerText()).toMatch(
      /too many screens[\s\S]*per user \(3\)/,
    );
    streamAnswer = 'media';
  });

  it('watch: unavailable (503) and missing (404)', async () => {
    streamAnswer = {
      status: 503,
      body: {
        error: {
          code: 'FILE_UNAVAILABLE',
          message: 'the video cannot be read right now (NAS offline); please try again shortly',
          correlation_id: 'c-503',
        },
      },
    };
    await page.goto(`/watch/${ids.hcl1}`);
    await page.getByTestId('stream-error-unavailable').waitFor();
    expect(await page.getByTestId('stream-error-unavailable').innerText()).toMatch(
      /unavailable right now[\s\S]*NAS offline/,
    );
    streamAnswer = {
      status: 404,
      body: {
        error: {
          code: 'CONTENT_NOT_FOUND',
          message: 'no content with id "x"',
          correlation_id: 'c-404',
        },
      },
    };
    await page.goto(`/watch/${ids.hcl2}`);
    await page.getByTestId('stream-error-missing').waitFor();
    expect(await page.getByTestId('stream-retry').count()).toBe(0);
    streamAnswer = 'media';
  });

  it('dashboard: live blocks, approvals with a reason, streams, cache, jobs, scan, audit', async () => {
    const stub = await stubAdminApi(context);
    try {
      const t0 = Date.now();
      await page.goto('/admin');
      await page.getByTestId('block-card').first().waitFor();
      const shownIn = Date.now() - t0;
      expect(await page.getByTestId('block-card').count()).toBe(7);
      expect(await page.locator('[data-block="search"]').innerText()).toMatch(
        /unhealthy[\s\S]*open/i,
      );
      // Live: the status refreshes by itself.
      const before = await page.getByTestId('status-updated').innerText();
      await page.waitForFunction(
        (b) => document.querySelector('[data-testid="status-updated"]')?.textContent !== b,
        before,
        { timeout: 8000 },
      );
      // Approve one, reject the other with a reason.
      await page
        .locator('[data-testid="pending-user"][data-username="dnegreanu_fan"]')
        .getByTestId('approve')
        .click();
      await page
        .locator('[data-testid="pending-user"][data-username="dnegreanu_fan"]')
        .waitFor({ state: 'detached' });
      await page
        .locator('[data-testid="pending-user"][data-username="railbird99"]')
        .getByTestId('reject')
        .click();
      await page.getByTestId('reason-input').fill('not a member of the club');
      await page.getByTestId('reason-confirm').click();
      await page
        .locator('[data-testid="pending-user"][data-username="railbird99"]')
        .waitFor({ state: 'detached' });
      expect(stub.posts).toContainEqual({ path: '/users/u-pend-1/approve', body: {} });
      expect(stub.posts).toContainEqual({
        path: '/users/u-pend-2/reject',
        body: { reason: 'not a member of the club' },
      });
      // Suspend from the user list.
      await page
        .locator('[data-testid="user-row"][data-username="sam_rail"]')
        .getByTestId('suspend')
        .click();
      await page.getByTestId('reason-input').fill('account sharing');
      await page.getByTestId('reason-confirm').click();
      await waitFor(() => stub.posts.some((p) => p.path === '/users/u-act-2/suspend'), 5000);
      // Retry a failed job; scan the library and follow its progress.
      await page
        .locator('[data-testid="job"][data-status="failed"]')
        .getByTestId('job-retry')
        .click();
      await waitFor(() => stub.posts.some((p) => p.path === '/jobs/job-1/retry'), 5000);
      await page.getByTestId('scan-library').click();
      await page
        .locator('[data-testid="scan-state"][data-status="completed"]')
        .waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('scan-state').innerText()).toMatch(/5 files, 1 new/);
      // A dead-lettered event, handed back to its block once the cause is fixed.
      expect(await page.getByTestId('dead-letters-table').innerText()).toMatch(
        /thumbnail_generated[\s\S]*content[\s\S]*database is locked/,
      );
      await page.getByTestId('dead-letter-replay').click();
      await waitFor(() => stub.posts.some((p) => p.path === '/dead-letters/replay'), 5000);
      expect(stub.posts).toContainEqual({
        path: '/dead-letters/replay',
        body: { channel: 'thumbnail_generated', group: 'content.vm-1', id: '1795680000000-0' },
      });
      await page.getByTestId('dead-letters-panel').getByText('No events were given up').waitFor();
      expect(await page.getByTestId('cache-tier').count()).toBe(4);
      expect(await page.getByTestId('stream-list').locator('li').count()).toBe(2);
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, 'ui-dashboard-desktop', true);
      expect(shownIn, 'dashboard blocks visible within 2 s').toBeLessThan(2000);
      const phone = await newPage(browser, server.url, PHONE);
      try {
        await stubAdminApi(phone.context);
        await signIn(phone.page, ADMIN.email, ADMIN.password);
        await phone.page.goto('/admin');
        await phone.page.getByTestId('block-card').first().waitFor();
        expect(
          await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
        ).toBeLessThanOrEqual(0);
        await screenshot(phone.page, 'ui-dashboard-phone');
      } finally {
        await phone.context.close();
      }
    } finally {
      await context.unroute('**/api/admin/**');
    }
  });

  it('phone: home fits the screen', async () => {
    const phone = await newPage(browser, server.url, PHONE);
    try {
      await phone.context.route('**/api/thumbnails/*', (route) => {
        const key = /e2e-(\w+)\.jpg/.exec(route.request().url())?.[1] ?? '';
        return thumbs[key]
          ? route.fulfill({ status: 200, contentType: 'image/jpeg', body: thumbs[key] })
          : route.fulfill({ status: 404 });
      });
      await signIn(phone.page, ADMIN.email, ADMIN.password);
      await phone.page.getByTestId('hero').waitFor();
      await phone.page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLImageElement>('.hero img')].every(
          (i) => i.complete && i.naturalWidth > 0,
        ),
      );
      expect(
        await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
      ).toBeLessThanOrEqual(0);
      await screenshot(phone.page, 'ui-home-phone');
    } finally {
      await phone.context.close();
    }
  });

  it('a suspended account sees why at sign-in; signing out works', async () => {
    const other = await newPage(browser, server.url, DESKTOP);
    try {
      await other.context.route('**/api/auth/login', (route) =>
        route.fulfill({
          status: 403,
          contentType: 'application/json',
          body: JSON.stringify({
            error: {
              code: 'ACCOUNT_SUSPENDED',
              message: 'your account is suspended: account sharing',
              correlation_id: 'c-403',
            },
          }),
        }),
      );
      await other.page.goto('/login');
      await other.page.getByTestId('login-name').fill('someone');
      await other.page.getByTestId('login-password').fill('Whatever#1');
      await other.page.getByTestId('login-submit').click();
      await other.page.getByTestId('account-status').waitFor();
      expect(await other.page.getByTestId('account-status').innerText()).toMatch(
        /suspended[\s\S]*account sharing/i,
      );
      await screenshot(other.page, 'ui-login-suspended');
    } finally {
      await other.context.close();
    }
    await page.goto('/');
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    expect(await page.evaluate(() => localStorage.getItem('wsoptv.session'))).toBeNull();
  });
});
