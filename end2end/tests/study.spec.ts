import { test, expect } from '@playwright/test';
import { hydrated } from './helpers';

test('study page → practise its topic → instant feedback with explanation and citation', async ({ page }) => {
  await page.goto('/hoc-tap');
  await expect(page.getByRole('heading', { name: 'Tìm hiểu Chỉ thị 24-CT/TU' })).toBeVisible();
  await page.getByRole('heading', { name: 'Phụ lục: 25 biểu hiện vi phạm' }).getByRole('link').click();
  await expect(page).toHaveURL(/\/hoc-tap\/phu-luc/);
  await expect(page.locator('.cite').first()).toContainText('Nguồn:');
  await page.getByRole('link', { name: 'Luyện tập chủ đề này' }).first().click();
  await expect(page).toHaveURL(/\/luyen-tap\?chu-de=phu-luc/);
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'Phụ lục: 25 biểu hiện vi phạm' })).toHaveAttribute('aria-current', 'page');
  const practice = page.locator('.practice');
  await expect(practice.locator('.qnum')).toHaveText('Phụ lục: 25 biểu hiện vi phạm');
  await practice.locator('.option input').first().check();
  await practice.getByRole('button', { name: 'Trả lời' }).click();
  const feedback = practice.locator('.feedback');
  await expect(feedback).toBeVisible();
  await expect(feedback).toContainText(/Chính xác!|Chưa đúng\./);
  await expect(feedback).toContainText('Giải thích:');
  await expect(feedback).toContainText('Nguồn:');
  await expect(practice.locator('.option.right')).toHaveCount(1);
  // next question, same topic
  await practice.getByRole('button', { name: 'Câu tiếp theo' }).click();
  await expect(practice.locator('.feedback')).toHaveCount(0);
  await expect(practice.locator('.qnum')).toHaveText('Phụ lục: 25 biểu hiện vi phạm');
});
