/**
 * The archive as viewers know it, in real Chromium against a real WSOPTV process: a catalog's
 * events, an event's episodes in order, "up next" counting down from the end of Day 1 into
 * Day 2 (and staying put when cancelled), a `?t=` link starting at its second, my list, and a
 * whole event marked as watched.
 *
 * Real: sign-in, content (items, events, progress, my list, settings). Stubbed inside the
 * browser: /api/stream/<id>/info, answered with a signed-looking URL on a local file server
 * that serves a short real MP4, so that each episode ends within seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithFfmpeg, sampleMp4 } from '../support/media.ts';
import { Api } from './support/api.ts';
import { DESKTOP, launchBrowser, newPage, screenshot, signIn } from './support/browser.ts';
import { startMediaServer, type MediaServer } from './support/media-server.ts';
import { startServer, type Server } from './support/server.ts';

const ADMIN = { email: 'admin@wsoptv.test', password: 'Admin#Pass2024' };
const SECONDS = 3;
const EPISODES = ['Day 1', 'Day 2', 'Final Table'];
const EVENT = 'wsop~2024~main-event';

describeWithFfmpeg('e2e: events, up next, links to a moment, my list', () => {
  let server: Server;
  let media: MediaServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let work: string;
  const ids: Record<string, string> = {};
  const currentTime = () =>
    page.getByTestId('video').evaluate((v: HTMLVideoElement) => v.currentTime);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'wsoptv-e2e-archive-'));
    media = await startMediaServer({ 'ep.mp4': sampleMp4({ seconds: SECONDS }) });
    server = await startServer({
      name: 'archive',
      libraryDir: work,
      admin: ADMIN,
      env: { WSOPTV_SCAN_ON_START: 'false' },
    });
    const api = await new Api(server.url).login(ADMIN.email, ADMIN.password);
    for (const title of EPISODES) {
      const c = await api.call<{ id: string }>('/api/contents', {
        body: {
          title,
          catalog: 'WSOP',
          media_path: `WSOP/2024/Main Event/${title}.mp4`,
          duration_seconds: SECONDS,
        },
      });
      ids[title] = c.id;
    }
    browser = await launchBrowser();
    ({ context, page } = await newPage(browser, server.url, DESKTOP));
    await context.route('**/api/stream/*/info', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({
          url: `${media.url}/ep.mp4?st=stub-token`,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          duration_seconds: SECONDS,
          size: 1,
          mime_type: 'video/mp4',
          tier: 'nas',
        }),
      }),
    );
    await signIn(page, ADMIN.email, ADMIN.password);
  });

  afterAll(async () => {
    await browser?.close();
    await media?.close();
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a catalog lists its events; an event its episodes in broadcast order', async () => {
    await page.goto('/catalog/wsop');
    await page.locator(`[data-testid="event-card"][data-event-id="${EVENT}"]`).click();
    await page.getByTestId('event-page').waitFor();
    expect(await page.getByTestId('event-title').innerText()).toBe('Main Event');
    const titles = await page.locator('[data-testid="episode"] .episode-title').allInnerTexts();
    expect(titles).toEqual(EPISODES);
    await screenshot(page, 'archive-event', true);
  });

  it('Day 1 ends, up next counts down and plays Day 2', async () => {
    await page.locator(`[data-testid="episode"][data-content-id="${ids['Day 1']}"] a`).click();
    await page.getByTestId('video').waitFor();
    await page.getByTestId('up-next').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('up-next-title').innerText()).toBe('Day 2');
    expect(await page.getByTestId('up-next-countdown').innerText()).toMatch(/Plays in \d+ s/);
    await screenshot(page, 'archive-up-next');
    await page.waitForURL(`**/watch/${ids['Day 2']}`, { timeout: 15_000 });
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.2);
  });

  it('cancel keeps the viewer on the episode that ended', async () => {
    await page.goto(`/watch/${ids['Day 1']}`);
    await page.getByTestId('up-next-cancel').click({ timeout: 15_000 });
    expect(await page.getByTestId('up-next-countdown').count()).toBe(0);
    await page.waitForTimeout(2000);
    expect(page.url()).toContain(`/watch/${ids['Day 1']}`);
    await page.getByTestId('up-next-play').waitFor(); // "play now" is still offered
  });

  it('a ?t= link starts at that second', async () => {
    await page.goto(`/watch/${ids['Final Table']}?t=2`);
    await page.getByTestId('video').waitFor();
    await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 1);
    expect(await page.getByTestId('video').getAttribute('data-resumed-from')).toBe('2');
    expect(await currentTime()).toBeGreaterThanOrEqual(2);
  });

  it('my list: add from the item page, see it, remove it', async () => {
    await page.goto(`/content/${ids['Final Table']}`);
    const toggle = page.getByTestId('list-toggle');
    await toggle.click();
    await page.locator('[data-testid="list-toggle"][data-on-list="true"]').waitFor();
    await page.goto('/my-list');
    await page.getByTestId('my-list').waitFor();
    expect(await page.getByTestId('content-card').count()).toBe(1);
    await page.goto(`/content/${ids['Final Table']}`);
    await page.locator('[data-testid="list-toggle"][data-on-list="true"]').click();
    await page.locator('[data-testid="list-toggle"][data-on-list="false"]').waitFor();
    await page.goto('/my-list');
    await page.getByText('Your list is empty').waitFor();
  });

  it('marks the whole event as watched', async () => {
    await page.goto(`/event/${encodeURIComponent(EVENT)}`);
    await page.getByTestId('event-page').getByTestId('watched-toggle').first().click();
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid="episode"]')].every(
          (e) => e.getAttribute('data-watched') === 'true',
        ),
      undefined,
      { timeout: 5000 },
    );
    expect(await page.locator('[data-testid="episode"][data-watched="true"]').count()).toBe(3);
  });
});
