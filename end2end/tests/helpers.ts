import { expect, Page } from '@playwright/test';

/** A fresh valid Vietnamese mobile number (09x prefixes are all in use). */
export function randomPhone(): string {
  return '09' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
}

/** Waits until the wasm has hydrated the page (the app marks <body>). */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
}

/** mm:ss or h:mm:ss → seconds */
export function seconds(text: string): number {
  return text.trim().split(':').map(Number).reduce((acc, n) => acc * 60 + n, 0);
}
