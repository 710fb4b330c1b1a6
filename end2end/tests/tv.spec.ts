import { test, expect } from '@playwright/test';
import { hydrated, randomPhone } from './helpers';

test('the projector page shows a new participant within two seconds of their submit, without reloading', async ({ browser, baseURL }) => {
  // an organizer opens a fresh round in the demo contest
  const orgCtx = await browser.newContext();
  const org = orgCtx.request;
  const login = await org.post('/api/v1/auth/login', {
    data: { phone: '0900000000', password: process.env.ADMIN_PASSWORD ?? 'e2e-admin-password' },
  });
  expect(login.status()).toBe(200);
  const rounds = await (await org.get('/api/v1/rounds')).json();
  const contestId = rounds[0].contest_id;
  const now = Date.now();
  const created = await org.post(`/api/v1/admin/contests/${contestId}/rounds`, {
    data: { title: 'Tuần trình chiếu', opens_at: now - 60_000, closes_at: now + 3_600_000, question_count: 5, duration_ms: 300_000, max_attempts: 2 },
  });
  expect(created.status()).toBe(201);
  const roundId = (await created.json()).id;

  // the projector
  const tv = await browser.newPage();
  await tv.goto(`/trinh-chieu/${roundId}`);
  await hydrated(tv);
  await expect(tv.getByRole('heading', { name: 'Tuần trình chiếu' })).toBeVisible();
  await expect(tv.locator('#tv-participants')).toHaveText('0');
  await expect(tv.getByText('Đang cập nhật trực tiếp')).toBeVisible({ timeout: 10_000 });
  const loadsBefore = await tv.evaluate(() => performance.getEntriesByType('navigation').length);

  // a participant registers, takes the round and submits (from another device)
  const who = await browser.newContext();
  const api = who.request;
  const units = await (await api.get('/api/v1/units')).json();
  const unit = units.find((u: { name: string }) => u.name === 'Xã Trầm Lộng');
  const name = 'Người trình chiếu ' + Math.floor(Math.random() * 1e6);
  const reg = await api.post('/api/v1/auth/register', {
    data: { full_name: name, phone: randomPhone(), unit_id: unit.id, password: 'mat-khau-123' },
  });
  expect(reg.status()).toBe(201);
  const attempt = await (await api.post(`/api/v1/rounds/${roundId}/attempts`)).json();
  for (const item of attempt.items) {
    const r = await api.put(`/api/v1/attempts/${attempt.id}/answers/${item.question_id}`, { data: { option_id: item.options[0].id } });
    expect(r.status()).toBe(200);
  }
  const submit = await api.post(`/api/v1/attempts/${attempt.id}/submit`, { data: {} });
  expect(submit.status()).toBe(200);
  const submittedAt = Date.now();

  await expect(tv.locator('#tv-people')).toContainText(name, { timeout: 2_000 });
  const shownAfter = Date.now() - submittedAt;
  expect(shownAfter).toBeLessThan(2_000);
  await expect(tv.locator('#tv-participants')).toHaveText('1');
  await expect(tv.locator('#tv-units')).toContainText('Huyện Ứng Hòa');
  // no reload happened
  expect(await tv.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(loadsBefore);
  console.log(`TV showed the result ${shownAfter} ms after the submit`);
});

test('the statistics page drills down from the city to a district, sorts and searches', async ({ page }) => {
  const rounds = await (await page.request.get('/api/v1/rounds')).json();
  const contestId = rounds[0].contest_id;
  await page.goto(`/thong-ke/${contestId}`);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Thống kê theo đơn vị' })).toBeVisible();
  const units = page.locator('#units tbody');
  await expect(units).toContainText('Huyện Ứng Hòa');
  await page.getByRole('link', { name: 'Huyện Ứng Hòa' }).click();
  await expect(page).toHaveURL(/cap=/);
  await expect(units).toContainText('Xã Trầm Lộng');
  await expect(page.getByRole('navigation', { name: 'Cấp đơn vị' })).toContainText('Thành phố Hà Nội');
  // sort by name, by keyboard
  await page.getByRole('link', { name: /^Đơn vị/ }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/sap=name/);
  await expect(page.locator('th[aria-sort]')).toContainText('Đơn vị');
  // search every level below
  await page.getByLabel('Tìm đơn vị').fill('van dinh');
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await expect(units.locator('tr')).toHaveCount(1);
  await expect(units).toContainText('Thị trấn Vân Đình');
  await expect(page.getByRole('figure', { name: 'Lượt thi theo ngày' })).toBeVisible();
});
