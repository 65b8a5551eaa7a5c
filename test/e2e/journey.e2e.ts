/**
 * The whole viewer journey in a real browser against a real WSOPTV process:
 *
 *   a new viewer registers → sees "waiting for approval" → the admin approves them in the
 *   dashboard → the viewer signs in, sees the home rows with real thumbnails → searches with a
 *   typo and finds the video → plays it → leaves → comes back and playback resumes → cannot
 *   reach the dashboard or /api/admin/*. Screenshots go to test-results/e2e/.
 *
 * The steps share one server, one browser and one viewer, in order. A step whose
 * prerequisite failed is reported as skipped (naming what it needed) rather than failing
 * again for the same reason; the run still fails on the first real failure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, type TestContext } from 'vitest';
import { describeWithFfmpeg, makeLibrary } from '../support/media.ts';
import { waitFor } from '../support/wait.ts';
import { Api } from './support/api.ts';
import {
  DESKTOP,
  fetchAsPage,
  launchBrowser,
  newPage,
  PHONE,
  screenshot,
  signIn,
} from './support/browser.ts';
import { ARTIFACTS } from './support/paths.ts';
import { startServer, type Server } from './support/server.ts';

const ADMIN = { email: 'admin@wsoptv.test', password: 'Admin#Pass2024' };
const VIEWER = {
  email: `viewer${Date.now() % 100000}@example.com`,
  username: `viewer_${Date.now() % 100000}`,
  password: 'Viewer#Pass2024',
  full_name: 'Vera Viewer',
};

/**
 * Two catalogs, five short real MP4s; the main event is a little longer so a few seconds watched
 * stay well under half.
 */
const LIBRARY = {
  'WSOP/2024 Main Event Final Table.mp4': { seconds: 12, width: 640, height: 360 },
  'WSOP/2024 High Roller Day 2.mp4': { seconds: 6, width: 640, height: 360 },
  'WSOP/2023 Ladies Championship.mp4': { seconds: 8, width: 640, height: 360 },
  'HCL/High Stakes Cash Game Episode 1.mp4': { seconds: 6, width: 640, height: 360 },
  'HCL/High Stakes Cash Game Episode 2.mp4': { seconds: 8, width: 640, height: 360 },
};
const NEEDED_BLOCKS = ['auth', 'content', 'search', 'stream', 'cache', 'worker', 'admin'];

interface Item {
  id: string;
  title: string;
  catalog: string;
  thumbnail_url: string | null;
}

describeWithFfmpeg('e2e: the viewer journey', () => {
  let library: string;
  let server: Server;
  let browser: Browser;
  const admin = {
    api: undefined as unknown as Api,
    context: undefined as BrowserContext | undefined,
    page: undefined as Page | undefined,
  };
  const viewer = {
    context: undefined as BrowserContext | undefined,
    page: undefined as Page | undefined,
  };
  const consoleErrors: string[] = [];
  let mainEvent: Item | undefined;
  let savedPosition = 0;
  const done = new Set<string>();
  const timings: Record<string, number> = {};

  /** A step of the journey: runs only when the steps it needs passed; marks itself done. */
  function step(
    key: string,
    name: string,
    needs: string[],
    fn: (ctx: TestContext) => Promise<void>,
  ): void {
    it(name, async (ctx) => {
      const missing = needs.filter((n) => !done.has(n));
      if (missing.length) ctx.skip(`needs the earlier step(s): ${missing.join(', ')}`);
      await fn(ctx);
      done.add(key);
    });
  }

  beforeAll(async () => {
    library = mkdtempSync(join(tmpdir(), 'wsoptv-e2e-library-'));
    makeLibrary(library, LIBRARY);
    server = await startServer({ name: 'journey', libraryDir: library, admin: ADMIN });
    admin.api = await new Api(server.url).login(ADMIN.email, ADMIN.password);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    writeFileSync(join(ARTIFACTS, 'journey-console.log'), consoleErrors.join('\n') + '\n');
    writeFileSync(join(ARTIFACTS, 'journey-timings.json'), JSON.stringify(timings, null, 2) + '\n');
    await browser?.close();
    await server?.stop();
    if (library) rmSync(library, { recursive: true, force: true });
  });

  async function viewerPage(): Promise<Page> {
    if (!viewer.page) {
      const p = await newPage(browser, server.url, DESKTOP);
      viewer.context = p.context;
      viewer.page = p.page;
      p.page.on('pageerror', (e) => consoleErrors.push(`[viewer] ${e.message}`));
      p.page.on(
        'console',
        (m) => m.type() === 'error' && consoleErrors.push(`[viewer] ${m.text()}`),
      );
    }
    return viewer.page;
  }

  async function adminPage(): Promise<Page> {
    if (!admin.page) {
      const p = await newPage(browser, server.url, DESKTOP);
      admin.context = p.context;
      admin.page = p.page;
      p.page.on('pageerror', (e) => consoleErrors.push(`[admin] ${e.message}`));
      await signIn(p.page, ADMIN.email, ADMIN.password);
    }
    return admin.page;
  }

  /**
   * Fails at once, naming the missing blocks, instead of timing out on an endpoint that is not
   * there.
   */
  async function requireBlocks(...ids: string[]): Promise<void> {
    const reg = await admin.api.call<{ blocks: Array<{ id: string }> }>('/api/blocks');
    const present = new Set(reg.blocks.map((b) => b.id));
    const missing = ids.filter((b) => !present.has(b));
    if (missing.length)
      throw new Error(
        `this step needs the block(s) ${missing.join(', ')}, which this WSOPTV does not run (it runs: ${[...present].join(', ')})`,
      );
  }

  it('runs every block the journey needs', async () => {
    const reg = await admin.api.call<{ blocks: Array<{ id: string; status: string }> }>(
      '/api/blocks',
    );
    const present = new Set(reg.blocks.map((b) => b.id));
    const missing = NEEDED_BLOCKS.filter((b) => !present.has(b));
    expect(
      missing,
      `blocks not running in this WSOPTV (present: ${[...present].join(', ')})`,
    ).toEqual([]);
  });

  step('library', 'scans the library and makes thumbnails (polled as admin)', [], async () => {
    await requireBlocks('content', 'worker', 'search');
    let last = 'nothing yet';
    await waitFor(
      async () => {
        const page = await admin.api.call<{ items: Item[]; total: number }>(
          '/api/contents?limit=100',
        );
        const withThumb = page.items.filter((i) => i.thumbnail_url);
        last = `${page.total} item(s), ${withThumb.length} with a thumbnail`;
        return page.total === Object.keys(LIBRARY).length && withThumb.length === page.total;
      },
      90_000,
      {
        intervalMs: 500,
        message: `library scan + thumbnails for ${Object.keys(LIBRARY).length} files (last seen: ${last}; is the worker block running?)`,
      },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nlast seen: ${last}`);
    });
    const items = (await admin.api.call<{ items: Item[] }>('/api/contents?limit=100')).items;
    mainEvent = items.find((i) => /main event final table/i.test(i.title));
    expect(
      mainEvent,
      `an item titled like "Main Event Final Table" among: ${items.map((i) => i.title).join(' | ')}`,
    ).toBeDefined();
    expect(new Set(items.map((i) => i.catalog.toLowerCase()))).toEqual(new Set(['wsop', 'hcl']));
    // The thumbnail itself is served (publicly) as a JPEG.
    const res = await fetch(new URL(mainEvent!.thumbnail_url!, server.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/image\/jpeg/);
    // The search index has caught up too (the worker and search run on events).
    await waitFor(
      async () => (await admin.api.call<{ total: number }>('/api/search?q=final+table')).total > 0,
      30_000,
      { intervalMs: 500, message: 'search finds "final table"' },
    );
  });

  step(
    'registered',
    'a new viewer registers and sees the waiting-for-approval page',
    [],
    async () => {
      const page = await viewerPage();
      await page.goto('/');
      await page.waitForURL(/\/login/); // signed out: sent to sign in
      await page.getByRole('link', { name: 'Request access' }).first().click();
      await page.getByTestId('register-email').fill(VIEWER.email);
      await page.getByTestId('register-username').fill(VIEWER.username);
      await page.getByTestId('register-full-name').fill(VIEWER.full_name);
      await page.getByTestId('register-password').fill(VIEWER.password);
      await page.getByTestId('register-confirm').fill(VIEWER.password);
      await page.getByTestId('register-submit').click();
      await page.getByTestId('pending-page').waitFor();
      expect(await page.getByTestId('pending-username').textContent()).toBe(VIEWER.username);
      await screenshot(page, 'pending-desktop');
      // Signing in before approval lands on the same page.
      await page.getByTestId('pending-login').click();
      await page.getByTestId('login-password').fill(VIEWER.password);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('pending-page').waitFor();
      expect(page.url()).toContain('/pending');
    },
  );

  step('approved', 'the admin approves the viewer in the dashboard', ['registered'], async () => {
    await requireBlocks('admin');
    const page = await adminPage();
    await page.goto('/admin');
    const row = page.locator(`[data-testid="pending-user"][data-username="${VIEWER.username}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.getByTestId('approve').click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    const users = await admin.api.call<{ items: Array<{ username: string; status: string }> }>(
      '/api/admin/users?status=active&limit=100',
    );
    expect(users.items.find((u) => u.username === VIEWER.username)?.status).toBe('active');
  });

  step(
    'home',
    'the viewer signs in and sees the home rows with thumbnails',
    ['approved', 'library'],
    async () => {
      const page = await viewerPage();
      await signIn(page, VIEWER.username, VIEWER.password);
      await page.getByTestId('home-page').waitFor();
      await page.getByTestId('hero').waitFor();
      for (const row of ['new_releases', 'catalog:wsop', 'catalog:hcl'])
        await page.getByTestId(`row-${row}`).waitFor();
      expect(await page.getByTestId('row-new_releases').getByTestId('content-card').count()).toBe(
        Object.keys(LIBRARY).length,
      );
      // Lazy images below the fold load once scrolled to.
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await page.waitForFunction(
        () => {
          const imgs = [
            ...document.querySelectorAll<HTMLImageElement>('img[data-testid="thumbnail"]'),
          ];
          return imgs.length >= 10 && imgs.every((i) => i.complete && i.naturalWidth > 0);
        },
        undefined,
        { timeout: 20_000 },
      );
      expect(await page.getByTestId('thumbnail-placeholder').count()).toBe(0);
      await page.evaluate(() => window.scrollTo(0, 0));
      // let the smooth scroll and image decode settle for the picture
      await page.waitForTimeout(300);
      await screenshot(page, 'home-desktop');
    },
  );

  step('search', 'searches with a typo ("main evnet") and finds the video', ['home'], async () => {
    const page = await viewerPage();
    const box = page.getByTestId('search-input');
    // Suggestions as you type.
    await box.fill('');
    await box.pressSequentially('main ev', { delay: 40 });
    await page.getByTestId('search-suggestions').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('search-suggestion').allTextContents()).toContainEqual(
      expect.stringMatching(/main event final table/i),
    );
    // The typo, submitted: the results page finds it.
    await box.fill('main evnet');
    await box.press('Enter'); // (Escape would clear a type=search field)
    await page.waitForURL(/\/search\?q=main\+evnet|\/search\?q=main%20evnet/);
    await page.getByTestId('search-total').waitFor();
    const card = page.getByTestId('search-results').locator(`[data-content-id="${mainEvent!.id}"]`);
    await card.waitFor({ timeout: 10_000 });
    expect(
      await page.getByTestId('search-fallback').count(),
      'search answered from the index, not the simplified fallback',
    ).toBe(0);
    await card.click();
    await page.getByTestId('content-page').waitFor();
    expect(await page.getByTestId('content-title').textContent()).toMatch(
      /main event final table/i,
    );
  });

  step('played', 'plays the video (currentTime advances) and leaves', ['search'], async () => {
    await requireBlocks('stream', 'cache');
    const page = await viewerPage();
    await page.getByTestId('play-button').click();
    await page.waitForURL(new RegExp(`/watch/${mainEvent!.id}`));
    const video = page.getByTestId('video');
    await video.waitFor({ timeout: 15_000 });
    const streamError = page.locator('[data-testid^="stream-error"], [data-testid="error"]');
    await page
      .waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.5, undefined, {
        timeout: 20_000,
      })
      .catch(async (err: Error) => {
        const msg = (await streamError.count())
          ? await streamError.first().innerText()
          : 'no error shown';
        throw new Error(`the video did not start: ${msg}\n${err.message}`);
      });
    const t1 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await page.waitForFunction(
      (t) => (document.querySelector('video')?.currentTime ?? 0) > Math.max(t + 1, 3),
      t1,
      { timeout: 15_000 },
    );
    const t2 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    expect(t2).toBeGreaterThan(t1);
    await video.hover(); // show the controls in the picture
    await page.waitForTimeout(500);
    await screenshot(page, 'watch-desktop');
    // Leave: the app saves the position on the way out (keepalive request).
    const leftAt = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await page.getByTestId('watch-home').click();
    await page.getByTestId('home-page').waitFor();
    let saved = 0;
    await waitFor(
      async () => {
        const r = await fetchAsPage(page, `/api/progress/${mainEvent!.id}`);
        saved = r.body?.progress?.position_seconds ?? 0;
        return saved >= leftAt - 0.1;
      },
      10_000,
      { intervalMs: 200, message: `progress saved on leaving (left at ${leftAt.toFixed(1)} s)` },
    );
    savedPosition = saved;
    expect(savedPosition).toBeGreaterThan(2);
    expect(savedPosition).toBeLessThan(6); // not "finished": it will be resumed
  });

  step(
    'resumed',
    'comes back and playback resumes near the saved position',
    ['played'],
    async () => {
      const page = await viewerPage();
      // The home page may have been drawn before the leave-time save landed: draw it again if
      // needed.
      const row = page.getByTestId('row-continue_watching');
      if (!(await row.count())) await page.reload();
      await row.waitFor({ timeout: 10_000 });
      const card = row.locator(`[data-content-id="${mainEvent!.id}"]`);
      await card.getByTestId('progress-bar').waitFor();
      await card.click();
      await page.getByTestId('play-button').waitFor();
      expect(await page.getByTestId('play-button').textContent()).toMatch(/resume/i);
      await page.getByTestId('play-button').click();
      await page.getByTestId('resume-toast').waitFor({ timeout: 15_000 });
      const resumedFrom = Number(await page.getByTestId('video').getAttribute('data-resumed-from'));
      expect(Math.abs(resumedFrom - savedPosition)).toBeLessThan(0.6);
      const t = await page.getByTestId('video').evaluate((v: HTMLVideoElement) => v.currentTime);
      expect(t).toBeGreaterThanOrEqual(savedPosition - 0.6);
      await page.waitForFunction(
        (s) => (document.querySelector('video')?.currentTime ?? 0) > s + 0.5,
        savedPosition,
        { timeout: 10_000 },
      );
      await page.getByTestId('watch-home').click();
      await page.getByTestId('home-page').waitFor();
    },
  );

  step(
    'forbidden',
    'a non-admin gets no access to /admin or /api/admin/*',
    ['approved'],
    async () => {
      const page = await viewerPage();
      const signedIn =
        page.url().startsWith(server.url) &&
        (await page.evaluate(() => !!localStorage.getItem('wsoptv.session')));
      if (!signedIn) await signIn(page, VIEWER.username, VIEWER.password);
      expect(await page.getByTestId('nav-admin').count()).toBe(0);
      await page.goto('/admin');
      await page.getByTestId('admin-forbidden').waitFor();
      expect(await page.getByTestId('admin-forbidden').innerText()).toMatch(/not allowed/i);
      for (const path of [
        '/api/admin/status',
        '/api/admin/users?status=pending_approval',
        '/api/admin/jobs',
        '/api/admin/audit',
      ]) {
        const r = await fetchAsPage(page, path);
        expect(r.status, `${path} for a viewer`).toBe(403);
        expect(r.body?.error?.code, path).toBe('FORBIDDEN');
      }
      const scan = await fetchAsPage(page, '/api/admin/library/scan', { method: 'POST', body: {} });
      expect(scan.status).toBe(403);
    },
  );

  step('phone', 'the home page works at phone size', ['home'], async () => {
    const { page, context } = await newPage(browser, server.url, PHONE);
    try {
      await signIn(page, VIEWER.username, VIEWER.password);
      await page.getByTestId('hero').waitFor();
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll<HTMLImageElement>('.hero img, .row img')]
            .slice(0, 3)
            .every((i) => i.complete && i.naturalWidth > 0),
        undefined,
        { timeout: 15_000 },
      );
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow, 'no sideways scrolling of the whole page').toBeLessThanOrEqual(0);
      await screenshot(page, 'home-phone');
    } finally {
      await context.close();
    }
  });

  step(
    'dashboard',
    'the dashboard shows the live system and loads in under 2 s',
    ['approved'],
    async () => {
      const page = await adminPage();
      const t0 = Date.now();
      await page.goto('/admin');
      await page.getByTestId('block-card').first().waitFor({ timeout: 10_000 });
      timings.dashboard_first_blocks_ms = Date.now() - t0;
      // Every panel has answered (with data or an error box); take the picture before judging.
      await page.waitForFunction(() => !document.querySelector('.panel .skeleton'), undefined, {
        timeout: 10_000,
      });
      timings.dashboard_all_panels_ms = Date.now() - t0;
      await screenshot(page, 'dashboard-desktop', true);
      expect(
        timings.dashboard_first_blocks_ms,
        'dashboard shows the blocks within 2 s',
      ).toBeLessThan(2000);
      const ids = await page
        .getByTestId('block-card')
        .evaluateAll((els) =>
          els.map((e) => `${e.getAttribute('data-block')}:${e.getAttribute('data-status')}`),
        );
      for (const b of NEEDED_BLOCKS)
        expect(ids, 'blocks on the dashboard').toContain(`${b}:healthy`);
      const failed = await page.locator('.panel [data-testid="error"]').allInnerTexts();
      expect(failed, 'dashboard panels that failed').toEqual([]);
      await page.getByTestId('ssd-usage').waitFor();
      // Nothing was given up on this run: the dead-letters panel says so in words.
      expect(await page.getByTestId('dead-letters-panel').innerText()).toContain(
        'No events were given up',
      );
      // The grid refreshes by itself.
      const before = await page.getByTestId('status-updated').innerText();
      await page.waitForFunction(
        (b) => document.querySelector('[data-testid="status-updated"]')?.textContent !== b,
        before,
        { timeout: 10_000 },
      );
    },
  );
});
