/**
 * `npm run demo`: a narrated walk through the product against a running local stack
 * (`npm start`, same settings): a merchant, a webhook receiver, an invoice paid through
 * the simulator, the balance, a payout with its fee and refund, and a failed payout
 * refunded in full. It talks to the API through the typed client (clients/typescript),
 * prints every request and answer, checks every step, and exits non-zero when one does
 * not do what the product promises.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collect, createClient, responseInfo, verifyWebhook, type FetchLike, type WebhookEvent } from '../clients/typescript/src/index.js';

const env = process.env;
const apiUrl = `http://localhost:${env.PORT || 3000}`;
const simulatorUrl = `http://127.0.0.1:${env.LNSIM_CONTROL_PORT || 9737}`;
const outFile = process.argv.includes('--json-out') ? process.argv[process.argv.indexOf('--json-out') + 1] : undefined;
const STEP_TIMEOUT_MS = 30_000;

class DemoFailure extends Error {}

let step = 0;
const say = (text: string) => console.log(`\n${++step}. ${text}`);
const show = (label: string, value: unknown) => console.log(`   ${label} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
function expect(condition: unknown, what: string): asserts condition {
  if (!condition) throw new DemoFailure(what);
  console.log(`   ✓ ${what}`);
}

/**
 * The simulator's control API (the rest of the Lightning network): plain fetch, it is no part of the product's API.
 * With LNSIM_NODES=2 or more this is sim-1's, which answers for every node of the stack (docs/API-NOTES.md).
 */
async function simulator(path: string, body: unknown): Promise<any> {
  show('→', `simulator POST ${path} ${JSON.stringify(body)}`);
  const response = await fetch(simulatorUrl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json()) as unknown;
  show('←', `${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** The client's fetch, narrated: every request to the API and its answer are printed. */
const narratedFetch: FetchLike = async (request) => {
  const url = new URL(request.url);
  const body = await request.clone().text();
  const key = request.headers.get('idempotency-key');
  show('→', `${request.method} ${url.pathname}${url.search}${body ? ' ' + body : ''}${key ? `  (Idempotency-Key ${key.slice(0, 8)}…)` : ''}`);
  const response = await fetch(request);
  show('←', `${response.status} ${await response.clone().text()}`);
  return response;
};

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DemoFailure(`timed out after ${STEP_TIMEOUT_MS / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A tiny merchant server that checks each delivery's Standard Webhooks signature with the client's verifyWebhook. */
function startReceiver(): Promise<{ server: Server; url: string; received: WebhookEvent[]; setSecret(secret: string): void }> {
  const received: WebhookEvent[] = [];
  let secret: string | undefined;
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      try {
        const event = verifyWebhook(raw, request.headers, secret ?? '');
        // At least once: a receiver dedupes on the event id.
        if (!received.some((known) => known.id === event.id)) received.push(event);
        response.writeHead(204).end();
      } catch {
        response.writeHead(400).end();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
        received,
        setSecret: (value) => (secret = value),
      }),
    ),
  );
}

async function main(): Promise<void> {
  console.log(`Demo against ${apiUrl} (node simulator's control API at ${simulatorUrl}, LND or Core Lightning alike)`);
  // The document is public: any key will do until the merchant has one.
  const up = await createClient({ baseUrl: apiUrl, apiKey: 'none', retry: { maxRetries: 0 } }).openApiDocument().catch(() => undefined);
  if (!up) throw new DemoFailure(`no stack answers at ${apiUrl}: start one with \`npm start\` (same PORT) first`);

  say('An operator creates a merchant with the admin CLI');
  show('$', 'npm run admin -- merchant:create --name "Demo shop"');
  const merchant = JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'merchant:create', '--name', 'Demo shop'], {
      encoding: 'utf8',
      env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim(),
  ) as { merchant_id: string; default_account_id: string; secret_key: string };
  show('←', { ...merchant, secret_key: `${merchant.secret_key.slice(0, 8)}…` });
  const api = createClient({ baseUrl: apiUrl, apiKey: merchant.secret_key, fetch: narratedFetch });
  // Polls go unprinted; what they find is shown once it is final.
  const quiet = createClient({ baseUrl: apiUrl, apiKey: merchant.secret_key });
  const account = merchant.default_account_id;

  say('The merchant registers a webhook endpoint (a tiny receiver on this machine)');
  const receiver = await startReceiver();
  try {
    const endpoint = await api.webhookEndpoints.create({ url: receiver.url });
    expect(endpoint.secret.startsWith('whsec_'), 'endpoint created; its signing secret is shown once');
    receiver.setSecret(endpoint.secret);

    say('A customer wants to pay 150 sats: the merchant creates an invoice (the client sends an Idempotency-Key by itself)');
    const invoice = await api.invoices.create({ amount_msat: 150_000, memo: 'Demo order 42', reference: 'order-42' });
    expect(invoice.status === 'pending', `invoice ${invoice.id} is pending; checkout page: ${invoice.checkout_url}`);

    say('The customer pays it from their wallet (the node simulator pays as an outside payer)');
    const paid = await simulator('/pay', { bolt11: invoice.bolt11 });
    expect(paid.status === 'settled', 'the node settled the payment');

    say("The merchant hears about it by webhook, signed (checked with the client's verifyWebhook)");
    const paidHook = await until('the invoice.paid webhook', async () =>
      receiver.received.find((event): event is Extract<WebhookEvent, { type: 'invoice.paid' }> => event.type === 'invoice.paid' && event.data.object.id === invoice.id),
    );
    show('webhook', { id: paidHook.id, type: paidHook.type, amount_paid_msat: paidHook.data.object.amount_paid_msat });
    expect(paidHook.data.object.amount_paid_msat === 150_000, 'invoice.paid arrived with amount_paid_msat 150,000');

    say('The balance shows the deposit');
    expect((await api.accounts.get(account)).balance_msat === 150_000, 'balance 150,000 msat');

    say('The merchant pays out 100 sats to an outside invoice (routing will cost 1.2 sats)');
    const outside = await simulator('/invoices', { amount_msat: 100_000, memo: 'supplier', fee_msat: 1_200 });
    const withdrawal = await api.withdrawals.create({ bolt11: outside.bolt11 });
    expect(responseInfo(withdrawal)?.status === 202, `withdrawal ${withdrawal.id} accepted with a fee reserve of ${withdrawal.fee_reserve_msat} msat`);
    const done = await until('the withdrawal to finish', async () => {
      const current = await quiet.withdrawals.get(withdrawal.id);
      return current.status === 'succeeded' || current.status === 'failed' ? current : undefined;
    });
    show('←', done);
    expect(done.status === 'succeeded' && done.fee_msat === 1_200, 'succeeded, fee 1,200 msat recorded');
    const refund = withdrawal.fee_reserve_msat - done.fee_msat;
    const afterPayout = await api.accounts.get(account);
    expect(afterPayout.balance_msat === 150_000 - 100_000 - 1_200, `the unused reserve (${refund} msat) was refunded: balance 48,800 msat`);
    await until('the withdrawal.succeeded webhook', async () => receiver.received.find((event) => event.type === 'withdrawal.succeeded'));
    expect(true, 'withdrawal.succeeded webhook received');

    say('A payout that cannot be routed fails, and everything reserved comes back');
    const unroutable = await simulator('/invoices', { amount_msat: 20_000, outcome: 'no_route' });
    const doomed = await api.withdrawals.create({ bolt11: unroutable.bolt11 });
    const failed = await until('the failed withdrawal', async () => {
      const current = await quiet.withdrawals.get(doomed.id);
      return current.status === 'failed' ? current : undefined;
    });
    show('←', failed);
    expect(failed.failure_reason === 'no_route', 'failed with no_route');
    const final = await api.accounts.get(account);
    expect(final.balance_msat === 48_800, 'amount and fee reserve refunded: balance back to 48,800 msat');

    say("The account's ledger explains every msat (the client follows next_cursor page after page)");
    const ledger = await collect(api.accounts.listAllLedger(account, { limit: 2 }));
    const sum = ledger.reduce((total, entry) => total + entry.amount_msat, 0);
    expect(sum === final.balance_msat, `ledger sum ${sum} == balance ${final.balance_msat} over ${ledger.length} entries`);

    if (outFile) writeFileSync(outFile, JSON.stringify({ ...merchant, balance_msat: final.balance_msat }));
    console.log('\nDemo complete: deposit, webhook, payout with fee refund, failed payout refunded — all checked.');
  } finally {
    receiver.server.close();
  }
}

main().catch((error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
