// What a participant's phone downloads, and whether every page is valid HTML.
//
// - First load of each participant page: at most 250 KB on the wire in all (HTML,
//   CSS, JS, WebAssembly, the service worker), measured with Chromium's own byte
//   counts (compressed, headers included).
// - Every file of the bundle (`/pkg/…`) is served compressed and cached for a year.
// - A repeat visit transfers at most 30 KB besides the HTML.
// - The Nu HTML checker (vnu) finds no error in any of these pages.
import { test, expect, Browser, BrowserContext, Cookie, Page } from '@playwright/test';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hydrated, randomPhone } from './helpers';

const FIRST_LOAD_BUDGET = 250 * 1024;
const REPEAT_BUDGET = 30 * 1024;
const IMMUTABLE = 'public, max-age=31536000, immutable';

type Transfer = { url: string; type: string; bytes: number; cached: boolean; headers: Record<string, string> };

/** Every response of one navigation, with the bytes Chromium received for it. */
async function load(page: Page, url: string): Promise<Transfer[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = new Map<string, Transfer>();
  cdp.on('Network.responseReceived', (e: any) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.response.headers)) headers[k.toLowerCase()] = String(v);
    seen.set(e.requestId, {
      url: e.response.url,
      type: e.type,
      bytes: 0,
      cached: Boolean(e.response.fromDiskCache || e.response.fromPrefetchCache),
      headers,
    });
  });
  cdp.on('Network.requestServedFromCache', (e: any) => {
    const t = seen.get(e.requestId);
    if (t) t.cached = true;
  });
  cdp.on('Network.loadingFinished', (e: any) => {
    const t = seen.get(e.requestId);
    if (t) t.bytes = e.encodedDataLength;
  });
  await page.goto(url);
  await hydrated(page);
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  return [...seen.values()];
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** A participant with an attempt in progress, and the participant pages to measure. */
async function participantPages(browser: Browser): Promise<{ cookies: Cookie[]; pages: string[] }> {
  const ctx = await browser.newContext();
  const units = await (await ctx.request.get('/api/v1/units')).json();
  const reg = await ctx.request.post('/api/v1/auth/register', {
    data: { full_name: 'Lê Thị Điện Thoại', phone: randomPhone(), unit_id: units[1].id, password: 'mat-khau-123' },
  });
  expect(reg.status()).toBe(201);
  const rounds = await (await ctx.request.get('/api/v1/rounds?status=open')).json();
  const started = await ctx.request.post(`/api/v1/rounds/${rounds[0].id}/attempts`);
  expect(started.status()).toBe(201);
  const attempt = (await started.json()).id;
  const study = await (await ctx.request.get('/api/v1/study')).json();
  const cookies = await ctx.cookies();
  await ctx.close();
  return {
    cookies,
    pages: [
      '/',
      `/bai-thi/${attempt}`,
      '/hoc-tap',
      `/hoc-tap/${study[0].slug}`,
      '/luyen-tap',
      '/truc-tiep',
      `/thong-ke/${rounds[0].contest_id}`,
    ],
  };
}

/** A phone that has never visited (an empty cache), signed in when `cookies` are given.
 * Service workers are blocked: these are the HTTP-level figures (cache headers, not the worker). */
async function freshPhone(browser: Browser, cookies: Cookie[]): Promise<BrowserContext> {
  const ctx = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 390, height: 844 } });
  await ctx.addCookies(cookies);
  return ctx;
}

const ANON_PAGES = ['/dang-ky', '/dang-nhap', '/kich-hoat'];


test('each participant page loads within 250 KB, its bundle cached for a year, and a repeat visit within 30 KB', async ({ browser, request }) => {
  const { cookies, pages } = await participantPages(browser);
  // the service worker is fetched once per visit of a new phone: count it with the first load
  const sw = await request.get('/sw.js', { headers: { 'accept-encoding': 'br, gzip' } });
  expect(sw.status()).toBe(200);
  expect(sw.headers()['cache-control']).toBe('no-cache');
  const swBytes = (await sw.body()).length;

  const report: string[] = [];
  for (const [url, signedIn] of [...pages.map((p) => [p, true] as const), ...ANON_PAGES.map((p) => [p, false] as const)]) {
    const ctx = await freshPhone(browser, signedIn ? cookies : []);
    const page = await ctx.newPage();
    const first = await load(page, url);
    const total = first.reduce((sum, t) => sum + t.bytes, 0) + swBytes;
    const bundle = first.filter((t) => new URL(t.url).pathname.startsWith('/pkg/'));
    for (const t of bundle) {
      expect(t.headers['cache-control'], `${t.url} cache header`).toBe(IMMUTABLE);
      expect(t.headers['content-encoding'], `${t.url} compressed`).toBe('br');
    }
    expect(total, `${url}: first load ${kb(total)}`).toBeLessThanOrEqual(FIRST_LOAD_BUDGET);

    const again = await load(page, url);
    const repeat = again.filter((t) => t.type !== 'Document' && !t.cached).reduce((sum, t) => sum + t.bytes, 0);
    expect(repeat, `${url}: repeat visit ${kb(repeat)} besides the HTML`).toBeLessThanOrEqual(REPEAT_BUDGET);
    report.push(`${url.padEnd(50)} first ${kb(total).padStart(9)} (${first.length} files)   repeat ${kb(repeat).padStart(8)}`);
    await ctx.close();
  }
  console.log(report.join('\n'));
});

test('the Nu HTML checker finds no error in any participant page', async ({ browser }) => {
  const { cookies, pages } = await participantPages(browser);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thi24-vnu-'));
  const files: string[] = [];
  for (const [url, signedIn] of [...pages.map((p) => [p, true] as const), ...ANON_PAGES.map((p) => [p, false] as const)]) {
    const ctx = await freshPhone(browser, signedIn ? cookies : []);
    const res = await ctx.request.get(url);
    expect(res.status(), url).toBe(200);
    const file = path.join(dir, url.replace(/[^a-z0-9]+/gi, '_') + '.html');
    fs.writeFileSync(file, await res.text());
    files.push(file);
    await ctx.close();
  }
  const jar = path.join(__dirname, '..', 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
  // vnu writes its JSON report to stderr
  const run = spawnSync('java', ['-jar', jar, '--format', 'json', '--exit-zero-always', ...files], { encoding: 'utf8' });
  const report = JSON.parse(run.stderr);
  const errors = report.messages.filter((m: any) => m.type === 'error');
  expect(errors.map((m: any) => `${path.basename(m.url)}:${m.lastLine} ${m.message}`)).toEqual([]);
});
