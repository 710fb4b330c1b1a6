import { test, expect, Browser, BrowserContext, Page, APIRequestContext } from '@playwright/test';
import { hydrated, randomPhone, seconds } from './helpers';

const ADMIN = { phone: '0900000000', password: process.env.ADMIN_PASSWORD ?? 'e2e-admin-password' };

/** An organizer's API session. */
async function organizer(browser: Browser): Promise<APIRequestContext> {
  const ctx = await browser.newContext();
  const login = await ctx.request.post('/api/v1/auth/login', { data: ADMIN });
  expect(login.status()).toBe(200);
  return ctx.request;
}

/** A fresh open round in the demo contest (so that closing it disturbs no other test). */
async function freshRound(org: APIRequestContext, questions: number, durationMs: number): Promise<string> {
  const rounds = await (await org.get('/api/v1/rounds')).json();
  const now = (await (await org.get('/api/v1/time')).json()).now as number;
  const created = await org.post(`/api/v1/admin/contests/${rounds[0].contest_id}/rounds`, {
    data: {
      title: 'Vòng mất mạng ' + Math.floor(Math.random() * 1e6),
      opens_at: now - 60_000,
      closes_at: now + 3_600_000,
      question_count: questions,
      duration_ms: durationMs,
      max_attempts: 1,
    },
  });
  expect(created.status()).toBe(201);
  return (await created.json()).id;
}

/** A participant's phone with an attempt of `roundId` open on its page. */
async function participantWithAttempt(browser: Browser, roundId: string): Promise<{ ctx: BrowserContext; page: Page; attemptId: string }> {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const units = await (await ctx.request.get('/api/v1/units')).json();
  const reg = await ctx.request.post('/api/v1/auth/register', {
    data: { full_name: 'Nguyễn Thị Mất Mạng', phone: randomPhone(), unit_id: units[1].id, password: 'mat-khau-123' },
  });
  expect(reg.status()).toBe(201);
  const started = await ctx.request.post(`/api/v1/rounds/${roundId}/attempts`);
  expect(started.status()).toBe(201);
  const attemptId = (await started.json()).id as string;
  const page = await ctx.newPage();
  await page.goto(`/bai-thi/${attemptId}`);
  await hydrated(page);
  // the service worker is in control and has kept the page (a first visit asks it to)
  await page.waitForFunction(async () => {
    const keys = await (await caches.open('thi24-pages')).keys();
    return keys.some((r) => new URL(r.url).pathname.startsWith('/bai-thi/'));
  });
  return { ctx, page, attemptId };
}

/** What the server holds of the attempt (read with the participant's cookie, outside the page). */
async function serverAnswers(ctx: BrowserContext, attemptId: string): Promise<Record<string, string>> {
  const view = await (await ctx.request.get(`/api/v1/attempts/${attemptId}`)).json();
  const out: Record<string, string> = {};
  for (const item of view.items) if (item.chosen_option_id) out[item.question_id] = item.chosen_option_id;
  return out;
}

/** Chooses option `k` of the question on screen and returns [question, option]. */
async function answerCurrent(page: Page, k: number): Promise<[string, string]> {
  const option = page.locator('.question.current .option input[type=radio]').nth(k);
  const name = (await option.getAttribute('name'))!;
  const value = (await option.getAttribute('value'))!;
  await option.check();
  return [name.slice('answers['.length, -1), value];
}

test('answers chosen offline survive a reload and reach the server when the network returns', async ({ browser }) => {
  const org = await organizer(browser);
  const roundId = await freshRound(org, 10, 15 * 60_000);
  const { ctx, page, attemptId } = await participantWithAttempt(browser, roundId);

  await ctx.setOffline(true);
  const chosen: [string, string][] = [];
  for (let i = 0; i < 5; i++) {
    chosen.push(await answerCurrent(page, i % 4));
    // kept on the phone, never claimed as saved
    await expect(page.locator('#save-state')).toHaveText('Chưa gửi — sẽ tự gửi khi có mạng');
    await page.getByRole('button', { name: 'Câu sau' }).click();
  }
  await expect(page.locator('#outbox')).toHaveText('5 câu chưa gửi — sẽ tự gửi khi có mạng');
  expect(Object.keys(await serverAnswers(ctx, attemptId))).toHaveLength(0);
  const before = seconds(await page.locator('#timer').innerText());

  // a reload while offline: the page, its questions, the answers and the clock
  await page.reload();
  await hydrated(page);
  await expect(page.locator('.qbtn.answered')).toHaveCount(5);
  await expect(page.locator('#outbox')).toHaveText('5 câu chưa gửi — sẽ tự gửi khi có mạng');
  for (let i = 0; i < 5; i++) {
    await page.getByRole('button', { name: new RegExp(`^Câu ${i + 1}(,|$)`) }).click();
    await expect(page.locator(`.question.current input[value="${chosen[i][1]}"]`)).toBeChecked();
  }
  const after = seconds(await page.locator('#timer').innerText());
  expect(after).toBeLessThanOrEqual(before);
  expect(after).toBeGreaterThan(before - 60);

  // the network returns: the outbox drains by itself
  await ctx.setOffline(false);
  await expect(page.locator('#outbox')).toBeHidden({ timeout: 20_000 });
  // once the page holds nothing unacknowledged, the server holds every answer
  await expect(page.locator('#outbox')).toHaveAttribute('data-pending', '0', { timeout: 20_000 });
  await expect(page.locator('#save-state')).toHaveText('Đã lưu');
  const saved = await serverAnswers(ctx, attemptId);
  expect(Object.keys(saved)).toHaveLength(5);
  for (const [q, o] of chosen) expect(saved[q]).toBe(o);

  await page.getByRole('button', { name: 'Nộp bài', exact: true }).click();
  await page.getByRole('button', { name: 'Nộp bài ngay' }).click();
  await expect(page.getByRole('heading', { name: 'Kết quả bài thi' })).toBeVisible();
  const score = Number((await page.locator('#score').innerText()).split('/')[0]);

  // once the round is closed the review shows that the score counts exactly those answers
  expect((await org.post(`/api/v1/admin/rounds/${roundId}/close`)).status()).toBe(200);
  const graded = await (await ctx.request.get(`/api/v1/attempts/${attemptId}`)).json();
  const review = graded.result.review as { question_id: string; chosen_option_id: string | null; correct_option_id: string }[];
  for (const [q, o] of chosen) expect(review.find((r) => r.question_id === q)!.chosen_option_id).toBe(o);
  expect(review.filter((r) => r.chosen_option_id).length).toBe(5);
  expect(score).toBe(review.filter((r) => r.chosen_option_id === r.correct_option_id).length);
  expect(graded.result.score).toBe(score);
  await ctx.close();
});

test('a submission made offline waits for the network, then goes with every answer', async ({ browser }) => {
  const org = await organizer(browser);
  const roundId = await freshRound(org, 5, 15 * 60_000);
  const { ctx, page, attemptId } = await participantWithAttempt(browser, roundId);

  // two answers online, one offline
  const chosen: [string, string][] = [];
  chosen.push(await answerCurrent(page, 0));
  await expect(page.locator('#save-state')).toHaveText('Đã lưu');
  await page.getByRole('button', { name: 'Câu sau' }).click();
  chosen.push(await answerCurrent(page, 1));
  await expect(page.locator('#save-state')).toHaveText('Đã lưu');
  await page.getByRole('button', { name: 'Câu sau' }).click();
  await ctx.setOffline(true);
  chosen.push(await answerCurrent(page, 2));
  await expect(page.locator('#outbox')).toHaveText('1 câu chưa gửi — sẽ tự gửi khi có mạng');

  await page.getByRole('button', { name: 'Nộp bài', exact: true }).click();
  await page.getByRole('button', { name: 'Nộp bài ngay' }).click();
  await expect(page.locator('#submit-state')).toHaveText(/Bài sẽ được nộp ngay khi có mạng/);
  // nothing is graded while the phone is offline
  expect((await (await ctx.request.get(`/api/v1/attempts/${attemptId}`)).json()).status).toBe('in_progress');

  await ctx.setOffline(false);
  await expect(page.getByRole('heading', { name: 'Kết quả bài thi' })).toBeVisible({ timeout: 20_000 });
  const graded = await (await ctx.request.get(`/api/v1/attempts/${attemptId}`)).json();
  expect(graded.status).toBe('submitted');
  const saved: Record<string, string> = {};
  for (const item of graded.items) if (item.chosen_option_id) saved[item.question_id] = item.chosen_option_id;
  expect(Object.keys(saved)).toHaveLength(3);
  for (const [q, o] of chosen) expect(saved[q]).toBe(o);
  await ctx.close();
});

test('answers that arrive after the deadline and its grace are refused and shown, never dropped silently', async ({ browser }) => {
  const org = await organizer(browser);
  const roundId = await freshRound(org, 5, 8_000);
  const { ctx, page, attemptId } = await participantWithAttempt(browser, roundId);

  await ctx.setOffline(true);
  await answerCurrent(page, 0);
  await expect(page.locator('#outbox')).toHaveText('1 câu chưa gửi — sẽ tự gửi khi có mạng');
  // the deadline (8 s) and the grace (5 s) pass while the phone is offline
  await page.waitForTimeout(15_000);
  await ctx.setOffline(false);

  await expect(page.getByRole('heading', { name: 'Kết quả bài thi' })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('#refused')).toContainText('Câu 1');
  const graded = await (await ctx.request.get(`/api/v1/attempts/${attemptId}`)).json();
  expect(graded.items.filter((i: { chosen_option_id: string | null }) => i.chosen_option_id)).toHaveLength(0);
  await ctx.close();
});
