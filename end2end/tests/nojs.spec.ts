import { test, expect } from '@playwright/test';
import { randomPhone } from './helpers';

// Before its WebAssembly arrives — or on a phone that runs none — every page still
// works: forms post to the server and links navigate.
test.use({ javaScriptEnabled: false });

test('without JavaScript: register, start a round, answer and submit the quiz as one form, practise', async ({ page }) => {
  const name = 'Vũ Thị Không Script ' + Math.floor(Math.random() * 1000);
  await page.goto('/dang-ky');
  await page.getByLabel('Họ và tên').fill(name);
  await page.getByLabel('Số điện thoại di động').fill(randomPhone());
  await page.getByRole('radio', { name: 'Xã Trầm Lộng' }).check();
  await page.getByLabel('Mật khẩu').fill('mat-khau-123');
  await page.getByRole('button', { name: 'Đăng ký' }).click();
  await expect(page.getByText(`Xin chào, ${name}`)).toBeVisible();

  const week1 = page.locator('article', { has: page.getByRole('heading', { name: 'Tuần 1' }) });
  await week1.getByRole('button', { name: 'Bắt đầu làm bài' }).click();
  await expect(page).toHaveURL(/\/bai-thi\//);
  // every question is on the page, each a group of radio buttons
  const questions = page.locator('.question');
  await expect(questions).toHaveCount(20);
  for (let i = 0; i < 3; i++) await questions.nth(i).locator('input[type=radio]').first().check();
  await page.getByLabel(/Câu hỏi dự đoán/).fill('7');
  await page.getByRole('button', { name: 'Nộp bài ngay' }).click();
  await expect(page.getByRole('heading', { name: 'Kết quả bài thi' })).toBeVisible();
  const score = Number((await page.locator('#score').innerText()).split('/')[0]);
  expect(score).toBeLessThanOrEqual(3);
  await expect(page.getByText('Dự đoán của bạn')).toBeVisible();

  // practice: the answer and its explanation come back from the server
  await page.goto('/luyen-tap');
  await page.locator('.practice .option input').first().check();
  await page.getByRole('button', { name: 'Trả lời' }).click();
  await expect(page.locator('.feedback')).toContainText(/Chính xác!|Chưa đúng\./);
  await expect(page.locator('.feedback')).toContainText('Giải thích:');
  await page.getByRole('link', { name: 'Câu tiếp theo' }).click();
  await expect(page.locator('.feedback')).toHaveCount(0);
  await expect(page.locator('.practice .option input')).not.toHaveCount(0);
});
