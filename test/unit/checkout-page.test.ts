import { describe, expect, it } from 'vitest';
import { formatSats } from '../../functions/checkout/format-amount';
import { contentSecurityPolicy, renderCheckoutPage } from '../../functions/checkout/page';

const invoice = {
  id: 'inv_x',
  status: 'pending' as const,
  amount_msat: 150_000,
  bolt11: 'lnbcrt1500n1test',
  memo: 'Order 42',
  expires_at: '2026-11-21T11:00:00.000Z',
  paid_at: null,
};

describe('checkout page', () => {
  it('shows amounts in sats, with the msat when fractional', () => {
    expect(formatSats(150_000)).toEqual({ sats: '150 sats', fractional: false });
    expect(formatSats(1_000)).toEqual({ sats: '1 sat', fractional: false });
    expect(formatSats(1_500)).toEqual({ sats: '1.5 sats', fractional: true });
    expect(formatSats(123_456_789)).toEqual({ sats: '123,456.789 sats', fractional: true });
  });

  it('escapes the memo in the page and in its script', () => {
    const hostile = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';
    const html = renderCheckoutPage({ invoice: { ...invoice, memo: hostile, id: '</script>' }, qrSvg: '<svg></svg>', nonce: 'n0nce' });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(1)');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)');
  });

  it('runs only nonce-carrying code and loads nothing from elsewhere', () => {
    const csp = contentSecurityPolicy('abc');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'nonce-abc'");
    expect(csp).toContain("connect-src 'self'");
    const html = renderCheckoutPage({ invoice, qrSvg: '<svg></svg>', nonce: 'abc' });
    expect(html).not.toMatch(/(src|href)="https?:/);
    for (const tag of html.match(/<(script|style)[^>]*>/g) ?? []) expect(tag).toContain('nonce="abc"');
  });
});
