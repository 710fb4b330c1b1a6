import { test, expect, Page, Browser } from '@playwright/test';
import { hydrated, randomPhone } from './helpers';

/** Errors the pages log (a hydration mismatch or a panic shows here). */
const consoleErrors: string[] = [];
function watch(page: Page): Page {
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

/** A participant's phone: a fresh context, optionally logged in as a new account. */
async function phone(browser: Browser, account?: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  if (account) {
    const units = await (await ctx.request.get('/api/v1/units')).json();
    const unit = units.find((u: { name: string }) => u.name === 'Thị trấn Vân Đình');
    const reg = await ctx.request.post('/api/v1/auth/register', {
      data: { full_name: account, phone: randomPhone(), unit_id: unit.id, password: 'mat-khau-123' },
    });
    expect(reg.status()).toBe(201);
  }
  return watch(await ctx.newPage());
}

test('a live session: the host runs it from the console, the projector follows, three phones answer (one reloads mid-question)', async ({ browser }) => {
  // the host creates a session from a round's questions in the console
  const host = watch(await browser.newPage());
  await host.goto('/dang-nhap');
  await hydrated(host);
  await host.getByLabel('Số điện thoại di động').fill('0900000000');
  await host.getByLabel('Mật khẩu').fill(process.env.ADMIN_PASSWORD ?? 'e2e-admin-password');
  await host.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(host.getByText('Xin chào')).toBeVisible();
  await host.getByRole('link', { name: 'Thi trực tiếp tại hội trường' }).click();
  await expect(host).toHaveURL(/\/quan-tri\/truc-tiep$/);
  await hydrated(host);
  const title = 'Chung kết hội trường ' + Math.floor(Math.random() * 1e6);
  await host.getByLabel('Tên phiên thi').fill(title);
  await host.getByLabel('Số giây cho mỗi câu').fill('90');
  await host.locator('#live-round').selectOption({ index: 1 });
  await host.getByRole('button', { name: 'Tạo phiên thi' }).click();
  await expect(host).toHaveURL(/\/quan-tri\/truc-tiep\/[0-9a-f-]{36}$/);
  await hydrated(host);
  const code = (await host.locator('#host-code').textContent())!.trim();
  expect(code).toMatch(/^[1-9][0-9]{5}$/);
  const sessionId = host.url().split('/').pop();

  // the projector shows the code and the QR code
  const screen = watch(await browser.newPage({ viewport: { width: 1600, height: 900 } }));
  await screen.goto(`/trinh-chieu/truc-tiep/${sessionId}`);
  await hydrated(screen);
  await expect(screen.locator('#screen-code')).toHaveText(code);
  await expect(screen.getByRole('img', { name: 'Mã QR để tham gia phiên thi' })).toBeVisible();
  await expect(screen.getByText('Đang kết nối trực tiếp')).toBeVisible({ timeout: 10_000 });

  // three phones join: an account by typing the code, two guests by the QR link
  const p1 = await phone(browser, 'Lê Văn Tài Khoản');
  await p1.goto('/truc-tiep');
  await hydrated(p1);
  await p1.getByLabel('Mã tham gia').fill(code);
  await p1.getByRole('button', { name: 'Vào phiên thi' }).click();
  await expect(p1.getByRole('heading', { name: title })).toBeVisible();
  await hydrated(p1);
  await expect(p1.locator('.live-play').getByText('Lê Văn Tài Khoản')).toBeVisible();
  await p1.getByRole('button', { name: 'Tham gia' }).click();
  await expect(p1.locator('#me-name')).toHaveText('Lê Văn Tài Khoản');

  const guests: Page[] = [];
  for (const name of ['Phạm Thị Khách', 'Đỗ Văn Tải Lại']) {
    const p = await phone(browser);
    await p.goto(`/truc-tiep?ma=${code}`);
    await hydrated(p);
    await p.getByLabel('Họ và tên').fill(name);
    await p.getByPlaceholder('Tìm đơn vị').fill('Vân Đình');
    await p.getByLabel('Thị trấn Vân Đình').check();
    await p.getByRole('button', { name: 'Tham gia' }).click();
    await expect(p.locator('#me-name')).toHaveText(name);
    await expect(p.locator('#live-phase')).toHaveAttribute('data-phase', 'lobby');
    guests.push(p);
  }
  const [p2, p3] = guests;
  await expect(screen.locator('#screen-players')).toContainText('3', { timeout: 5_000 });

  // the host starts: the question shows on the projector with its countdown, and on every phone
  await host.getByRole('button', { name: 'Bắt đầu' }).click();
  await expect(screen.locator('#screen-phase')).toHaveAttribute('data-phase', 'question', { timeout: 3_000 });
  const t1 = Number(await screen.locator('#screen-timer').textContent());
  expect(t1).toBeGreaterThan(80);
  for (const p of [p1, p2, p3]) {
    await expect(p.locator('#live-phase')).toHaveAttribute('data-phase', 'question', { timeout: 3_000 });
  }
  const stem = await screen.locator('.screen-stem').textContent();
  await expect(p1.locator('#q-stem')).toHaveText(stem!);

  await p1.locator('.live-option').nth(0).click();
  await expect(p1.locator('#answer-status')).toHaveText(/Đã ghi nhận/);
  await p2.locator('.live-option').nth(1).click();
  await expect(p2.locator('#answer-status')).toHaveText(/Đã ghi nhận/);
  // the third phone reloads before answering: same participant, the same question, and it still answers
  await p3.reload();
  await hydrated(p3);
  await expect(p3.locator('#me-name')).toHaveText('Đỗ Văn Tải Lại');
  await expect(p3.locator('#live-phase')).toHaveAttribute('data-phase', 'question');
  await p3.locator('.live-option').nth(0).click();
  await expect(p3.locator('#answer-status')).toHaveText(/Đã ghi nhận/);
  // a reload after answering keeps the answer (no second answer possible)
  await p1.reload();
  await hydrated(p1);
  await expect(p1.locator('#me-name')).toHaveText('Lê Văn Tài Khoản');
  await expect(p1.locator('.live-option').nth(0)).toHaveAttribute('aria-pressed', 'true');
  await expect(p1.locator('.live-option').nth(1)).toBeDisabled();
  await expect(screen.locator('#screen-answered')).toContainText('3/3', { timeout: 3_000 });

  // the host closes the question: distribution, right answer and explanation on the projector; verdicts on phones
  await host.getByRole('button', { name: 'Dừng câu hỏi, hiện đáp án' }).click();
  await expect(screen.locator('#screen-phase')).toHaveAttribute('data-phase', 'reveal', { timeout: 4_000 });
  await expect(screen.locator('#screen-dist li[data-right="true"]')).toHaveCount(1);
  const counts = await screen.locator('#screen-dist .dist-n').allTextContents();
  expect(counts.map((c) => parseInt(c, 10)).reduce((a, b) => a + b, 0)).toBe(3);
  await expect(screen.getByText('Giải thích:')).toBeVisible();
  for (const p of [p1, p2, p3]) {
    await expect(p.locator('#verdict')).toHaveText(/Chính xác|Chưa đúng/, { timeout: 4_000 });
  }

  // the standings: people and units
  await host.getByRole('button', { name: 'Hiện bảng xếp hạng' }).click();
  await expect(screen.locator('#screen-phase')).toHaveAttribute('data-phase', 'results', { timeout: 3_000 });
  await expect(screen.locator('#screen-people li')).toHaveCount(3);
  await expect(screen.locator('#screen-units')).toContainText('Thị trấn Vân Đình');
  await expect(screen.getByText('Điểm đơn vị = trung bình điểm')).toBeVisible();
  const points1 = await p1.locator('#me-points').textContent();

  // the end: the podium on the projector, the end on the phones
  host.once('dialog', (d) => d.accept());
  await host.getByRole('button', { name: 'Kết thúc phiên thi' }).click();
  await expect(screen.locator('#screen-phase')).toHaveAttribute('data-phase', 'ended', { timeout: 3_000 });
  await expect(screen.locator('#screen-podium li')).toHaveCount(3);
  for (const p of [p1, p2, p3]) {
    await expect(p.locator('#live-phase')).toHaveAttribute('data-phase', 'ended', { timeout: 3_000 });
  }
  await expect(p1.locator('#me-points')).toHaveText(points1!);
  // the results download from the host's page
  const download = host.waitForEvent('download');
  await host.getByRole('link', { name: 'Tải kết quả (Excel)' }).click();
  expect((await download).suggestedFilename()).toBe(`truc-tiep-${code}.xlsx`);
  // no page logged an error (hydration, panics) on the way
  expect(consoleErrors).toEqual([]);
});
