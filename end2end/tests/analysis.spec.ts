import { test, expect } from '@playwright/test';
import { randomPhone } from './helpers';

const ADMIN = { phone: '0900000000', password: process.env.ADMIN_PASSWORD ?? 'e2e-admin-password' };

test('an organizer opens the item analysis of a closed round, sorts by discrimination and follows a flag to the question', async ({ browser }) => {
  test.setTimeout(90_000);
  // a fresh round in the demo contest; three participants take it; it is closed early
  const orgCtx = await browser.newContext();
  expect((await orgCtx.request.post('/api/v1/auth/login', { data: ADMIN })).status()).toBe(200);
  const org = orgCtx.request;
  const rounds = await (await org.get('/api/v1/rounds')).json();
  const now = (await (await org.get('/api/v1/time')).json()).now as number;
  const created = await org.post(`/api/v1/admin/contests/${rounds[0].contest_id}/rounds`, {
    data: {
      title: 'Tuần phân tích ' + Math.floor(Math.random() * 1e6),
      opens_at: now - 60_000,
      closes_at: now + 3_600_000,
      question_count: 5,
      duration_ms: 300_000,
      max_attempts: 1,
    },
  });
  expect(created.status()).toBe(201);
  const roundId = (await created.json()).id as string;
  const units = await (await org.get('/api/v1/units')).json();
  for (let i = 0; i < 3; i++) {
    const ctx = await browser.newContext();
    const reg = await ctx.request.post('/api/v1/auth/register', {
      data: { full_name: `Người phân tích ${i + 1}`, phone: randomPhone(), unit_id: units[1].id, password: 'mat-khau-123' },
    });
    expect(reg.status()).toBe(201);
    const view = await (await ctx.request.post(`/api/v1/rounds/${roundId}/attempts`)).json();
    for (const item of view.items) {
      const r = await ctx.request.put(`/api/v1/attempts/${view.id}/answers/${item.question_id}`, {
        data: { option_id: item.options[i % item.options.length].id },
      });
      expect(r.status()).toBe(200);
    }
    expect((await ctx.request.post(`/api/v1/attempts/${view.id}/submit`)).status()).toBe(200);
    await ctx.close();
  }
  expect((await org.post(`/api/v1/admin/rounds/${roundId}/close`)).status()).toBe(200);
  // until every attempt is surely graded the analysis is refused, then it is there
  expect((await org.get(`/api/v1/admin/rounds/${roundId}/items`)).status()).toBe(409);
  await expect.poll(async () => (await org.get(`/api/v1/admin/rounds/${roundId}/items`)).status(), { timeout: 30_000, intervals: [1_000] }).toBe(200);

  const page = await orgCtx.newPage();
  await page.goto(`/quan-tri/phan-tich/${roundId}`);
  await expect(page.getByRole('heading', { name: 'Phân tích câu hỏi', level: 1 })).toBeVisible();
  await expect(page.getByText('3 bài được tính')).toBeVisible();
  // each participant drew five questions of the bank: between 5 and 15 versions were served
  await expect(page.locator('table.items tbody tr').first()).toBeVisible();
  const served = await page.locator('table.items tbody tr').count();
  expect(served).toBeGreaterThanOrEqual(5);
  expect(served).toBeLessThanOrEqual(15);
  // sort by discrimination: the header says so
  await page.getByRole('link', { name: 'Độ phân biệt (r)' }).click();
  await expect(page).toHaveURL(/sap-xep=phan-biet/);
  await expect(page.locator('th[aria-sort="ascending"]')).toHaveText('Độ phân biệt (r)');
  // a flagged question (with three answers, only the unused distractors are flagged) leads to the bank
  const flagged = page.locator('table.items tbody tr.flagged').first();
  await expect(flagged).toContainText(/không ai chọn/i);
  await flagged.locator('td').first().getByRole('link').click();
  await expect(page).toHaveURL(/\/quan-tri\/cau-hoi\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name: /^Sửa / })).toBeVisible();
});
