import { test, expect } from '@playwright/test';
import * as fs from 'fs';
import { hydrated, randomPhone } from './helpers';

/** A `datetime-local` value in Hanoi time (UTC+7), `offsetMs` from now. */
function hanoiLocal(offsetMs: number): string {
  const d = new Date(Date.now() + offsetMs + 7 * 3600_000);
  return d.toISOString().slice(0, 16);
}

test('an organizer creates a contest with two weekly rounds; a participant takes one; it is closed, published and exported', async ({ browser }) => {
  const org = await browser.newPage();
  await org.goto('/dang-nhap');
  await hydrated(org);
  await org.getByLabel('Số điện thoại di động').fill('0900000000');
  await org.getByLabel('Mật khẩu').fill(process.env.ADMIN_PASSWORD ?? 'e2e-admin-password');
  await org.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(org.getByText('Xin chào')).toBeVisible();

  const title = 'Hội thi e2e ' + Math.floor(Math.random() * 1e6);
  await org.getByRole('link', { name: 'Cuộc thi', exact: true }).click();
  await expect(org).toHaveURL(/\/quan-tri\/cuoc-thi$/);
  await hydrated(org);
  await org.getByLabel('Tên cuộc thi').fill(title);
  await org.getByLabel('Thể lệ').fill('Mỗi tuần 5 câu, 5 phút; lượt cao nhất được tính.');
  await org.getByLabel('Đối tượng dự thi').selectOption({ label: 'Huyện Ứng Hòa' });
  await org.getByRole('button', { name: 'Tạo cuộc thi' }).click();
  await org.getByRole('link', { name: title }).click();
  await expect(org.getByRole('heading', { name: title })).toBeVisible();
  await hydrated(org);

  await org.getByLabel('Tuần đầu mở lúc').fill(hanoiLocal(-120_000));
  await org.getByLabel('Số tuần').fill('2');
  await org.getByLabel('Số câu hỏi').fill('5');
  await org.getByLabel('Thời gian làm bài').fill('5');
  await org.getByLabel('Số lượt thi mỗi người').fill('2');
  await org.getByRole('button', { name: 'Tạo tuần thi' }).click();
  const rows = org.locator('tbody tr:not(.edit-row)');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Tuần 1');
  await expect(rows.nth(0)).toContainText('Đang mở');
  await expect(rows.nth(1)).toContainText('Sắp mở');

  // week 2 has not opened: every rule may still change
  const edit2 = org.locator('tr.edit-row').nth(1);
  await edit2.locator('summary').click();
  await edit2.getByLabel('Số câu hỏi').fill('6');
  await edit2.getByLabel('Số câu theo chủ đề').fill('phu-luc: 3');
  await edit2.getByRole('button', { name: 'Lưu tuần thi' }).click();
  await expect(edit2.getByText('Đã thực hiện.')).toBeVisible();

  // a participant of a commune of Ứng Hòa takes week 1
  const p = await browser.newPage();
  const units = await (await p.request.get('/api/v1/units')).json();
  const tramLong = units.find((u: any) => u.name === 'Xã Trầm Lộng');
  const name = 'Phạm Văn Dự ' + Math.floor(Math.random() * 1000);
  const reg = await p.request.post('/api/v1/auth/register', { data: { full_name: name, phone: randomPhone(), unit_id: tramLong.id, password: 'mat-khau-123' } });
  expect(reg.status()).toBe(201);
  await p.goto('/');
  await hydrated(p);
  const card = p.locator('article', { hasText: title }).filter({ has: p.getByRole('heading', { name: 'Tuần 1' }) });
  await card.getByRole('button', { name: 'Bắt đầu làm bài' }).click();
  await expect(p).toHaveURL(/\/bai-thi\//);
  await hydrated(p);
  await p.locator('.question.current .option input').first().check();
  await expect(p.locator('#save-state')).toHaveText('Đã lưu');
  await p.getByRole('button', { name: 'Nộp bài', exact: true }).click();
  await p.getByRole('button', { name: 'Nộp bài ngay' }).click();
  await expect(p.getByRole('heading', { name: 'Kết quả bài thi' })).toBeVisible();

  // the organizer closes week 1 early, publishes it and downloads the ranking
  org.on('dialog', (d) => d.accept());
  await rows.nth(0).getByRole('button', { name: 'Đóng sớm' }).click();
  await expect(rows.nth(0)).toContainText('Đã kết thúc');
  await rows.nth(0).getByRole('button', { name: 'Công bố kết quả' }).click();
  await expect(rows.nth(0)).toContainText('Đã công bố');
  const [download] = await Promise.all([
    org.waitForEvent('download'),
    rows.nth(0).getByRole('link', { name: 'Tải bảng xếp hạng (XLSX)' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  const file = fs.readFileSync(await download.path());
  expect(file.subarray(0, 2).toString()).toBe('PK');

  // the published results are public, with the phone number masked
  await rows.nth(0).getByRole('link', { name: 'Xem kết quả' }).click();
  await expect(org.getByRole('heading', { name: /Kết quả công bố — Tuần 1/ })).toBeVisible();
  await expect(org.locator('#results')).toContainText(name);
  await expect(org.locator('#results')).toContainText(/09\d\*\*\*\*\d{3}/);
});
