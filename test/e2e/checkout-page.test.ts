import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireInvoice } from '../../functions/lib/invoices/expire-invoice';
import { checkoutPages } from '../../infra/local/checkout-pages';
import { useApiHarness } from '../support/api-harness';
import { ARTIFACTS_DIR, launchChromium } from '../support/browser';

describe('GET /checkout/{id} in a real browser', () => {
  const api = useApiHarness({ fallback: (request, response) => checkoutPages(api.table, { pollIntervalMs: 250 })(request, response) });
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the page and records what would betray a broken page: script errors, CSP refusals, reloads. */
  async function open(invoiceId: string): Promise<{ page: Page; problems: string[]; loads: () => number }> {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems: string[] = [];
    let loadCount = 0;
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('load', () => loadCount++);
    const response = await page.goto(`${api.url}/checkout/${invoiceId}`);
    expect(response?.status()).toBe(200);
    return { page, problems, loads: () => loadCount };
  }

  async function newInvoice(body: Record<string, unknown>) {
    const shop = await api.newMerchant();
    const created = await api.request<{ id: string; bolt11: string }>('POST', '/v1/invoices', { key: shop.secret_key, body });
    expect(created.status).toBe(201);
    return created.body;
  }

  it('shows amount, memo and QR, and turns to paid without a reload when the invoice is paid', async () => {
    const invoice = await newInvoice({ amount_msat: 150_500, memo: 'Order 42 <b>bold</b>' });
    const { page, problems, loads } = await open(invoice.id);

    await expect(page.locator('#amount').textContent()).resolves.toBe('150.5 sats');
    await expect(page.getByText('150,500 msat').isVisible()).resolves.toBe(true);
    await expect(page.locator('#memo').textContent()).resolves.toBe('Order 42 <b>bold</b>');
    await expect(page.locator('.qr svg path').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#open-wallet').getAttribute('href')).resolves.toBe(`lightning:${invoice.bolt11}`);
    await expect(page.locator('#bolt11').inputValue()).resolves.toBe(invoice.bolt11);
    await expect(page.locator('#status').textContent()).resolves.toBe('Waiting for payment');
    // Locators, not page functions: the page's CSP (rightly) refuses evaluated strings.
    await page.locator('#countdown', { hasText: /Expires in \d+:\d\d/ }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'checkout-pending.png'), fullPage: true });

    await api.settleInvoice(invoice.id);

    await page.locator('#status[data-status="paid"]').waitFor({ timeout: 10_000 });
    await expect(page.locator('#status').textContent()).resolves.toBe('Paid — thank you!');
    await expect(page.locator('.qr').isVisible()).resolves.toBe(false);
    await expect(page.locator('#status').getAttribute('aria-live')).resolves.toBe('polite');
    expect(loads()).toBe(1);
    expect(problems).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'checkout-paid.png'), fullPage: true });
  });

  it('turns to expired by itself when the invoice expires', async () => {
    const invoice = await newInvoice({ amount_msat: 2_000, expiry_seconds: 60 });
    const { page, problems } = await open(invoice.id);
    await expect(page.locator('#status').textContent()).resolves.toBe('Waiting for payment');

    const outcome = await expireInvoice(api.table, invoice.id, new Date(Date.now() + 61_000));
    expect(outcome).toMatchObject({ kind: 'expired' });

    await page.locator('#status[data-status="expired"]').waitFor({ timeout: 10_000 });
    await expect(page.locator('#status').textContent()).resolves.toBe('This invoice has expired');
    await expect(page.locator('.qr').isVisible()).resolves.toBe(false);
    expect(problems).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'checkout-expired.png'), fullPage: true });
  });

  it('answers an unknown invoice with a 404 page that leaks nothing', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${api.url}/checkout/inv_doesnotexist`);
    expect(response?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('Invoice not found');
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
  });
});
