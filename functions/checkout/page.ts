import { formatSats } from './format-amount';

/** What the checkout page shows: the public fields of an invoice, nothing else. */
export interface CheckoutInvoice {
  id: string;
  status: 'pending' | 'paid' | 'expired';
  amount_msat: number;
  bolt11: string;
  memo: string | null;
  expires_at: string;
  paid_at: string | null;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

/** JSON inside a <script>: no way to close the tag or open a comment from the data. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const STATUS_TEXT = { pending: 'Waiting for payment', paid: 'Paid — thank you!', expired: 'This invoice has expired' } as const;

/**
 * The page a merchant's customer pays on: amount, memo, a QR code of `lightning:<BOLT11>`,
 * copy and open-in-wallet, a countdown, and a status that updates itself by polling the
 * public invoice endpoint. No external assets; inline code runs only under the page's nonce.
 */
export function renderCheckoutPage(input: { invoice: CheckoutInvoice; qrSvg: string; nonce: string; pollIntervalMs?: number }): string {
  const { invoice, qrSvg, nonce } = input;
  const amount = formatSats(invoice.amount_msat);
  const lightningUri = `lightning:${invoice.bolt11}`;
  const title = invoice.memo ? `Pay: ${invoice.memo}` : 'Pay with Lightning';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">
  :root { color-scheme: light; --ink: #111827; --muted: #4b5563; --accent: #5b21b6; --ok: #065f46; --bad: #991b1b; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f3f4f6; }
  main { max-width: 26rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  .card { background: #fff; border-radius: 1rem; padding: 1.5rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); text-align: center; }
  h1 { font-size: 1.1rem; margin: 0 0 .25rem; color: var(--muted); font-weight: 600; }
  .amount { font-size: 2rem; font-weight: 700; margin: 0; }
  .msat { color: var(--muted); margin: 0; font-size: .9rem; }
  .memo { margin: .75rem 0 0; overflow-wrap: anywhere; }
  .qr { margin: 1.25rem auto; width: min(100%, 18rem); background: #fff; }
  .qr svg { width: 100%; height: auto; display: block; }
  .status { font-weight: 700; padding: .5rem; border-radius: .5rem; background: #ede9fe; color: var(--accent); margin: 1rem 0; }
  .status[data-status="paid"] { background: #d1fae5; color: var(--ok); }
  .status[data-status="expired"] { background: #fee2e2; color: var(--bad); }
  .countdown { color: var(--muted); margin: 0 0 1rem; }
  .actions { display: flex; gap: .5rem; flex-wrap: wrap; justify-content: center; }
  .button { display: inline-block; min-height: 44px; padding: .65rem 1rem; border-radius: .5rem; border: 2px solid var(--accent); font: inherit; font-weight: 600; text-decoration: none; cursor: pointer; }
  .primary { background: var(--accent); color: #fff; }
  .secondary { background: #fff; color: var(--accent); }
  .button:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  label { display: block; text-align: left; font-size: .85rem; color: var(--muted); margin-top: 1.25rem; }
  textarea { width: 100%; font: .8rem/1.4 ui-monospace, monospace; padding: .5rem; border: 1px solid #9ca3af; border-radius: .5rem; resize: none; color: var(--ink); }
  body[data-status="paid"] .pay-only, body[data-status="expired"] .pay-only { display: none; }
</style>
</head>
<body data-status="${invoice.status}">
<main>
  <div class="card">
    <h1>Lightning invoice</h1>
    <p class="amount" id="amount">${escapeHtml(amount.sats)}</p>
    ${amount.fractional ? `<p class="msat">${invoice.amount_msat.toLocaleString('en-US')} msat</p>` : ''}
    ${invoice.memo ? `<p class="memo" id="memo">${escapeHtml(invoice.memo)}</p>` : ''}
    <p class="status" id="status" role="status" aria-live="polite" data-status="${invoice.status}">${STATUS_TEXT[invoice.status]}</p>
    <p class="countdown pay-only" id="countdown" aria-live="off"></p>
    <div class="pay-only">
      <div class="qr" role="img" aria-label="QR code of the Lightning invoice">${qrSvg}</div>
      <div class="actions">
        <a class="button primary" id="open-wallet" href="${escapeHtml(lightningUri)}">Open in wallet</a>
        <button class="button secondary" id="copy" type="button">Copy invoice</button>
      </div>
      <label for="bolt11">Lightning invoice (BOLT11)</label>
      <textarea id="bolt11" rows="4" readonly>${escapeHtml(invoice.bolt11)}</textarea>
    </div>
  </div>
</main>
<script nonce="${nonce}">
(() => {
  const invoice = ${scriptJson({ id: invoice.id, status: invoice.status, expires_at: invoice.expires_at })};
  const texts = ${scriptJson(STATUS_TEXT)};
  const pollMs = ${Math.max(250, input.pollIntervalMs ?? 2000)};
  const statusEl = document.getElementById('status');
  const countdownEl = document.getElementById('countdown');
  let status = invoice.status;
  const show = (next) => {
    if (next === status && statusEl.textContent === texts[next]) return;
    status = next;
    document.body.dataset.status = next;
    statusEl.dataset.status = next;
    statusEl.textContent = texts[next];
  };
  const tick = () => {
    if (status !== 'pending') { countdownEl.textContent = ''; return; }
    const left = Math.max(0, Math.floor((Date.parse(invoice.expires_at) - Date.now()) / 1000));
    const h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    const pad = (n) => String(n).padStart(2, '0');
    countdownEl.textContent = 'Expires in ' + (h > 0 ? h + ':' + pad(m) : m) + ':' + pad(s);
    if (left === 0) show('expired');
  };
  const poll = async () => {
    if (status === 'paid') return;
    try {
      const response = await fetch('/v1/public/invoices/' + encodeURIComponent(invoice.id), { cache: 'no-store' });
      if (response.ok) show((await response.json()).status);
    } catch { /* offline for a moment: the next poll tries again */ }
    if (status !== 'paid') setTimeout(poll, pollMs);
  };
  document.getElementById('copy').addEventListener('click', async (event) => {
    const button = event.currentTarget;
    const field = document.getElementById('bolt11');
    try { await navigator.clipboard.writeText(field.value); }
    catch { field.select(); document.execCommand('copy'); }
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = 'Copy invoice'; }, 2000);
  });
  tick();
  setInterval(tick, 1000);
  setTimeout(poll, pollMs);
})();
</script>
</body>
</html>`;
}

export function renderNotFoundPage(nonce: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Invoice not found</title><style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem;color:#111827}</style></head><body><main><h1>Invoice not found</h1><p>Check the link you were given, or ask the shop for a new one.</p></main></body></html>`;
}
