import { test, expect } from '@playwright/test';
import { hydrated, randomPhone } from './helpers';

test('a round with a very short duration is submitted automatically when time runs out', async ({ page, playwright, baseURL }) => {
  // The organizer adds a 12-second round to the demo contest through the admin API.
  const admin = await playwright.request.newContext({ baseURL });
  const login = await admin.post('/api/v1/auth/login', { data: { phone: '0900000000', password: process.env.ADMIN_PASSWORD ?? 'e2e-admin-password' } });
  expect(login.status()).toBe(200);
  const rounds = await (await admin.get('/api/v1/rounds?status=open')).json();
  const now = (await (await admin.get('/api/v1/time')).json()).now as number;
  const title = 'Vòng chớp nhoáng ' + Math.floor(Math.random() * 1e6);
  const created = await admin.post(`/api/v1/admin/contests/${rounds[0].contest_id}/rounds`, {
    data: { title, opens_at: now - 60_000, closes_at: now + 3_600_000, question_count: 5, duration_ms: 12_000, max_attempts: 1 },
  });
  expect(created.status()).toBe(201);

  // A participant (registered through the API: the browser context shares its cookie) starts it.
  const units = await (await page.request.get('/api/v1/units')).json();
  const reg = await page.request.post('/api/v1/auth/register', {
    data: { full_name: 'Trần Thị Nhanh', phone: randomPhone(), unit_id: units[1].id, password: 'mat-khau-123' },
  });
  expect(reg.status()).toBe(201);
  await page.goto('/');
  await hydrated(page);
  const card = page.locator('article', { has: page.getByRole('heading', { name: title }) });
  await card.getByRole('button', { name: 'Bắt đầu làm bài' }).click();
  await expect(page).toHaveURL(/\/bai-thi\//);
  await hydrated(page);
  await page.locator('.question.current .option input[type=radio]').first().check();
  await expect(page.locator('#save-state')).toHaveText('Đã lưu');

  // Nobody clicks "Nộp bài": the countdown reaches zero and the browser submits.
  await expect(page.getByRole('heading', { name: 'Kết quả bài thi' })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('#score')).toHaveText(/^[01]\/5$/);
  await expect(page.getByText('Đã nộp ·')).toBeVisible();
  await admin.dispose();
});
