import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { IdPrefix, isIdOf } from '../lib/ids';
import { toPublicInvoice } from '../lib/invoices/public-invoice';
import { findInvoice } from '../lib/invoices/repository';
import type { Table } from '../lib/table/client';
import { contentSecurityPolicy, renderCheckoutPage, renderNotFoundPage } from './page';

/** The checkout page for an invoice id, as an HTTP answer: the page, or a 404 page. */
export async function checkoutResponse(table: Table, invoiceId: string, options: { pollIntervalMs?: number } = {}): Promise<APIGatewayProxyResultV2> {
  const nonce = randomBytes(16).toString('base64');
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy(nonce),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
  const invoice = isIdOf(IdPrefix.invoice, invoiceId) ? await findInvoice(table, invoiceId) : undefined;
  if (!invoice) return { statusCode: 404, headers, body: renderNotFoundPage(nonce) };
  // Upper case: wallets accept it, and QR codes encode it in the denser alphanumeric mode.
  const qrSvg = await QRCode.toString(`lightning:${invoice.bolt11}`.toUpperCase(), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const body = renderCheckoutPage({
    invoice: toPublicInvoice(invoice),
    qrSvg,
    nonce,
    pollIntervalMs: options.pollIntervalMs,
  });
  return { statusCode: 200, headers, body };
}
