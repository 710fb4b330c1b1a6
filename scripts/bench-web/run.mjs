// Prints, per participant page, what a phone downloads (first load and repeat visit,
// compressed bytes by type, as Chromium counts them) and Lighthouse's mobile scores
// (default throttling), beside a minimal static page measured in the same run.
// Usage: node run.mjs BASE_URL   (scripts/bench-web.sh starts the server)
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';

const base = process.argv[2] ?? 'http://127.0.0.1:3200';
const chrome = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

async function api(path, init = {}, cookie) {
  const res = await fetch(base + path, {
    ...init,
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...(init.headers ?? {}) },
  });
  return res;
}

// A participant with an attempt in progress (their cookie is used for the logged-in pages).
const units = await (await api('/api/v1/units')).json();
const phone = '09' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
const reg = await api('/api/v1/auth/register', {
  method: 'POST',
  body: JSON.stringify({ full_name: 'Người Đo Trang', phone, unit_id: units[1].id, password: 'mat-khau-123' }),
});
if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
const cookie = reg.headers.get('set-cookie').split(';')[0];
const rounds = await (await api('/api/v1/rounds?status=open', {}, cookie)).json();
const attempt = await (await api(`/api/v1/rounds/${rounds[0].id}/attempts`, { method: 'POST' }, cookie)).json();
const study = await (await api('/api/v1/study')).json();

const pages = [
  ['minimal static page (baseline)', '/bench-minimal.html', false],
  ['/', '/', true],
  ['/dang-ky', '/dang-ky', false],
  ['/dang-nhap', '/dang-nhap', false],
  ['/kich-hoat', '/kich-hoat', false],
  ['/bai-thi/{id}', `/bai-thi/${attempt.id}`, true],
  ['/hoc-tap', '/hoc-tap', true],
  ['/hoc-tap/{slug}', `/hoc-tap/${study[0].slug}`, true],
  ['/luyen-tap', '/luyen-tap', true],
  ['/truc-tiep', '/truc-tiep', true],
  ['/thong-ke/{id}', `/thong-ke/${rounds[0].contest_id}`, true],
];

const browser = await chromium.launch({ executablePath: chrome, args });

function kind(t) {
  if (t.type === 'Document') return 'html';
  if (t.type === 'Stylesheet') return 'css';
  if (t.type === 'Script') return 'js';
  if (t.url.endsWith('.wasm')) return 'wasm';
  return 'other';
}

async function transfers(page, url) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = new Map();
  cdp.on('Network.responseReceived', (e) => seen.set(e.requestId, { url: e.response.url, type: e.type, bytes: 0, cached: !!e.response.fromDiskCache }));
  cdp.on('Network.requestServedFromCache', (e) => { const t = seen.get(e.requestId); if (t) t.cached = true; });
  cdp.on('Network.loadingFinished', (e) => { const t = seen.get(e.requestId); if (t) t.bytes = e.encodedDataLength; });
  await page.goto(base + url);
  await page.waitForFunction(() => document.body.dataset.hydrated === 'true' || !document.querySelector('script[type=module]'), null, { timeout: 60_000 }).catch(() => {});
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  const by = { html: 0, css: 0, js: 0, wasm: 0, other: 0 };
  for (const t of seen.values()) if (!t.cached) by[kind(t)] += t.bytes;
  return by;
}

function lighthouse(url, withCookie) {
  const flags = [
    base + url, '--quiet', '--output=json', '--output-path=stdout',
    '--only-categories=performance,accessibility,best-practices,seo',
    `--chrome-flags=${args.join(' ')}`,
  ];
  if (withCookie) flags.push(`--extra-headers=${JSON.stringify({ Cookie: cookie })}`);
  const out = execFileSync(new URL('./node_modules/.bin/lighthouse', import.meta.url).pathname, flags, {
    encoding: 'utf8', env: { ...process.env, CHROME_PATH: chrome }, maxBuffer: 64 * 1024 * 1024,
  });
  const r = JSON.parse(out);
  const score = (c) => Math.round(r.categories[c].score * 100);
  return {
    perf: score('performance'), a11y: score('accessibility'), bp: score('best-practices'), seo: score('seo'),
    lcp: r.audits['largest-contentful-paint'].numericValue, tbt: r.audits['total-blocking-time'].numericValue,
    weight: r.audits['total-byte-weight'].numericValue,
  };
}

const kb = (n) => (n / 1024).toFixed(1);
const rows = [];
for (const [label, url, loggedIn] of pages) {
  const ctx = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 390, height: 844 } });
  if (loggedIn) {
    const [name, value] = cookie.split('=');
    await ctx.addCookies([{ name, value, url: base }]);
  }
  const page = await ctx.newPage();
  const first = await transfers(page, url);
  const again = await transfers(page, url);
  await ctx.close();
  const lh = lighthouse(url, loggedIn);
  const total = Object.values(first).reduce((a, b) => a + b, 0);
  const repeat = total && (again.css + again.js + again.wasm + again.other);
  rows.push({ label, first, total, repeat, repeatHtml: again.html, lh });
  console.error(`measured ${label}`);
}
await browser.close();

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(`\nThi24 participant pages — ${new Date().toISOString()} — ${base}`);
console.log('Transfer: compressed bytes on the wire as Chromium counts them (KB); repeat = a second visit, HTTP cache only (service worker off), HTML excluded.');
console.log('Lighthouse 12 mobile, default (simulated) throttling.\n');
console.log(`${pad('page', 32)}${lpad('html', 7)}${lpad('css', 7)}${lpad('js', 7)}${lpad('wasm', 7)}${lpad('other', 7)}${lpad('FIRST', 8)}${lpad('repeat', 8)} | ${lpad('perf', 4)} ${lpad('a11y', 4)} ${lpad('bp', 4)} ${lpad('seo', 4)} ${lpad('LCP ms', 7)} ${lpad('TBT ms', 7)}`);
for (const r of rows) {
  const f = r.first;
  console.log(`${pad(r.label, 32)}${lpad(kb(f.html), 7)}${lpad(kb(f.css), 7)}${lpad(kb(f.js), 7)}${lpad(kb(f.wasm), 7)}${lpad(kb(f.other), 7)}${lpad(kb(r.total), 8)}${lpad(kb(r.repeat), 8)} | ${lpad(r.lh.perf, 4)} ${lpad(r.lh.a11y, 4)} ${lpad(r.lh.bp, 4)} ${lpad(r.lh.seo, 4)} ${lpad(Math.round(r.lh.lcp), 7)} ${lpad(Math.round(r.lh.tbt), 7)}`);
}
