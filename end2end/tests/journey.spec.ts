import { test, expect } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { hydrated, randomPhone, seconds } from './helpers';

// Explanations of the shipped bank: none may reach the browser before grading.
function bankExplanations(): string[] {
  const toml = fs.readFileSync(path.join(__dirname, '..', '..', 'content', 'questions.toml'), 'utf8');
  return [...toml.matchAll(/^explanation = "(.*)"$/gm)].map((m) => m[1]).filter((e) => e.length > 30);
}

test('register → start → answer half → reload → answers and timer kept → submit → result', async ({ page }) => {
  const name = 'Nguyễn Văn Thử ' + Math.floor(Math.random() * 1000);
  await page.goto('/dang-ky');
  await hydrated(page);
  await page.getByLabel('Họ và tên').fill(name);
  await page.getByLabel('Số điện thoại di động').fill(randomPhone());
  await page.getByLabel('Tìm đơn vị').fill('tram long');
  await expect(page.getByRole('radio', { name: 'Xã Đại Hùng' })).toBeHidden();
  await page.getByRole('radio', { name: 'Xã Trầm Lộng' }).check();
  await page.getByLabel('Mật khẩu').fill('mat-khau-123');
  await page.getByRole('button', { name: 'Đăng ký' }).click();

  await expect(page.getByText(`Xin chào, ${name}`)).toBeVisible();
  const week1 = page.locator('article', { has: page.getByRole('heading', { name: 'Tuần 1' }) });
  await week1.getByRole('button', { name: 'Bắt đầu làm bài' }).click();
  await expect(page).toHaveURL(/\/bai-thi\//);
  await hydrated(page);
  await expect(page.getByText('Câu 1/20')).toBeVisible();

  // Before grading, neither the page nor any WebAssembly it loaded holds an explanation (nor any "correct" marker).
  const html = await (await page.request.get(page.url())).text();
  const modules = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => e.name).filter((u) => u.endsWith('.wasm')),
  );
  expect(modules.length).toBeGreaterThan(0);
  const wasm = (await Promise.all(modules.map(async (u) => (await (await page.request.get(u)).body()).toString('utf8')))).join('');
  for (const e of bankExplanations()) {
    expect(html.includes(e), `explanation in page: ${e}`).toBe(false);
    expect(wasm.includes(e), `explanation in wasm: ${e}`).toBe(false);
  }
  expect(html).not.toMatch(/correct|is_correct|dap_an_dung/i);

  // Answer the first ten questions, each saved as it is chosen.
  const chosen: string[] = [];
  for (let i = 0; i < 10; i++) {
    await expect(page.getByText(`Câu ${i + 1}/20`)).toBeVisible();
    const option = page.locator('.question.current .option input[type=radio]').nth(i % 4);
    chosen.push((await option.getAttribute('value'))!);
    await option.check();
    await expect(page.locator('#save-state')).toHaveText('Đã lưu');
    await page.getByRole('button', { name: 'Câu sau' }).click();
  }
  await expect(page.locator('.qbtn.answered')).toHaveCount(10);
  const before = seconds(await page.locator('#timer').innerText());

  await page.reload();
  await hydrated(page);
  await expect(page.locator('.qbtn.answered')).toHaveCount(10);
  for (let i = 0; i < 10; i++) {
    await page.getByRole('button', { name: new RegExp(`^Câu ${i + 1}(,|$)`) }).click();
    await expect(page.locator(`.option input[value="${chosen[i]}"]`)).toBeChecked();
  }
  const after = seconds(await page.locator('#timer').innerText());
  expect(after).toBeLessThanOrEqual(before);
  expect(after).toBeGreaterThan(before - 60);
  expect(before).toBeLessThanOrEqual(15 * 60);

  await page.getByRole('button', { name: 'Nộp bài', exact: true }).click();
  await expect(page.getByText('Còn câu chưa trả lời: 10')).toBeVisible();
  await page.getByLabel(/Câu hỏi dự đoán/).fill('12');
  await page.getByRole('button', { name: 'Nộp bài ngay' }).click();

  await expect(page.getByRole('heading', { name: 'Kết quả bài thi' })).toBeVisible();
  await expect(page.locator('#score')).toHaveText(/^\d+\/20$/);
  const score = Number((await page.locator('#score').innerText()).split('/')[0]);
  expect(score).toBeLessThanOrEqual(10);
  await expect(page.getByText('Đáp án và giải thích sẽ được công bố sau khi tuần thi kết thúc.')).toBeVisible();

  // The result stays after a reload, and the home page lists the attempt.
  await page.reload();
  await expect(page.locator('#score')).toHaveText(`${score}/20`);
  await page.goto('/');
  await expect(page.getByRole('cell', { name: 'Đã nộp' })).toBeVisible();
});
