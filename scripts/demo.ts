/**
 * `npm run demo`: a narrated walk through the product against a running local stack
 * (`npm start`, same settings): a merchant, a webhook receiver, an invoice paid through
 * the simulator, the balance, a payout with its fee and refund, and a failed payout
 * refunded in full. It prints every request and answer, checks every step, and exits
 * non-zero when one does not do what the product promises.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

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

async function call(base: string, method: string, path: string, options: { key?: string; body?: unknown } = {}) {
  show('→', `${method} ${path}${options.body === undefined ? '' : ' ' + JSON.stringify(options.body)}`);
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const body = (await response.json()) as any;
  show('←', `${response.status} ${JSON.stringify(body)}`);
  return { status: response.status, body };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DemoFailure(`timed out after ${STEP_TIMEOUT_MS / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface ReceivedWebhook {
  id: string;
  type: string;
  object: any;
}

/** A tiny merchant server that verifies each delivery with the standardwebhooks library. */
function startReceiver(): Promise<{ server: Server; url: string; received: ReceivedWebhook[]; setSecret(secret: string): void }> {
  const received: ReceivedWebhook[] = [];
  let verifier: Webhook | undefined;
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      try {
        const event = verifier!.verify(raw, request.headers as Record<string, string>) as { id: string; type: string; data: { object: unknown } };
        received.push({ id: event.id, type: event.type, object: event.data.object });
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
        setSecret: (secret) => (verifier = new Webhook(secret)),
      }),
    ),
  );
}

async function main(): Promise<void> {
  console.log(`Demo against ${apiUrl} (LND simulator control API at ${simulatorUrl})`);
  const up = await fetch(`${apiUrl}/v1/openapi.json`).catch(() => undefined);
  if (!up?.ok) throw new DemoFailure(`no stack answers at ${apiUrl}: start one with \`npm start\` (same PORT) first`);

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
  const key = merchant.secret_key;
  const account = merchant.default_account_id;

  say('The merchant registers a webhook endpoint (a tiny receiver on this machine)');
  const receiver = await startReceiver();
  try {
    const endpoint = await call(apiUrl, 'POST', '/v1/webhook-endpoints', { key, body: { url: receiver.url } });
    expect(endpoint.status === 201 && String(endpoint.body.secret).startsWith('whsec_'), 'endpoint created; its signing secret is shown once');
    receiver.setSecret(endpoint.body.secret);

    say('A customer wants to pay 150 sats: the merchant creates an invoice');
    const invoice = await call(apiUrl, 'POST', '/v1/invoices', { key, body: { amount_msat: 150_000, memo: 'Demo order 42', reference: 'order-42' } });
    expect(invoice.status === 201 && invoice.body.status === 'pending', `invoice ${invoice.body.id} is pending; checkout page: ${invoice.body.checkout_url}`);

    say('The customer pays it from their wallet (the LND simulator pays as an outside payer)');
    const paid = await call(simulatorUrl, 'POST', '/pay', { body: { bolt11: invoice.body.bolt11 } });
    expect(paid.body.status === 'settled', 'the node settled the payment');

    say('The merchant hears about it by webhook, signed (verified with the standardwebhooks library)');
    const paidHook = await until('the invoice.paid webhook', async () => receiver.received.find((hook) => hook.type === 'invoice.paid' && hook.object.id === invoice.body.id));
    show('webhook', { id: paidHook.id, type: paidHook.type, amount_paid_msat: paidHook.object.amount_paid_msat });
    expect(paidHook.object.amount_paid_msat === 150_000, 'invoice.paid arrived with amount_paid_msat 150,000');

    say('The balance shows the deposit');
    const funded = await call(apiUrl, 'GET', `/v1/accounts/${account}`, { key });
    expect(funded.body.balance_msat === 150_000, 'balance 150,000 msat');

    say('The merchant pays out 100 sats to an outside invoice (routing will cost 1.2 sats)');
    const outside = await call(simulatorUrl, 'POST', '/invoices', { body: { amount_msat: 100_000, memo: 'supplier', fee_msat: 1_200 } });
    const withdrawal = await call(apiUrl, 'POST', '/v1/withdrawals', { key, body: { bolt11: outside.body.bolt11 } });
    expect(withdrawal.status === 202, `withdrawal ${withdrawal.body.id} accepted with a fee reserve of ${withdrawal.body.fee_reserve_msat} msat`);
    const done = await until('the withdrawal to finish', async () => {
      const current = await fetch(`${apiUrl}/v1/withdrawals/${withdrawal.body.id}`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json() as any);
      return current.status === 'succeeded' || current.status === 'failed' ? current : undefined;
    });
    show('←', done);
    expect(done.status === 'succeeded' && done.fee_msat === 1_200, 'succeeded, fee 1,200 msat recorded');
    const refund = withdrawal.body.fee_reserve_msat - done.fee_msat;
    const afterPayout = await call(apiUrl, 'GET', `/v1/accounts/${account}`, { key });
    expect(afterPayout.body.balance_msat === 150_000 - 100_000 - 1_200, `the unused reserve (${refund} msat) was refunded: balance 48,800 msat`);
    await until('the withdrawal.succeeded webhook', async () => receiver.received.find((hook) => hook.type === 'withdrawal.succeeded'));
    expect(true, 'withdrawal.succeeded webhook received');

    say('A payout that cannot be routed fails, and everything reserved comes back');
    const unroutable = await call(simulatorUrl, 'POST', '/invoices', { body: { amount_msat: 20_000, outcome: 'no_route' } });
    const doomed = await call(apiUrl, 'POST', '/v1/withdrawals', { key, body: { bolt11: unroutable.body.bolt11 } });
    const failed = await until('the failed withdrawal', async () => {
      const current = await fetch(`${apiUrl}/v1/withdrawals/${doomed.body.id}`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.json() as any);
      return current.status === 'failed' ? current : undefined;
    });
    show('←', failed);
    expect(failed.failure_reason === 'no_route', 'failed with no_route');
    const final = await call(apiUrl, 'GET', `/v1/accounts/${account}`, { key });
    expect(final.body.balance_msat === 48_800, 'amount and fee reserve refunded: balance back to 48,800 msat');

    say("The account's ledger explains every msat");
    const ledger = await call(apiUrl, 'GET', `/v1/accounts/${account}/ledger?limit=100`, { key });
    const sum = (ledger.body.data as Array<{ amount_msat: number }>).reduce((total, entry) => total + entry.amount_msat, 0);
    expect(sum === final.body.balance_msat, `ledger sum ${sum} == balance ${final.body.balance_msat}`);

    if (outFile) writeFileSync(outFile, JSON.stringify({ ...merchant, balance_msat: final.body.balance_msat }));
    console.log('\nDemo complete: deposit, webhook, payout with fee refund, failed payout refunded — all checked.');
  } finally {
    receiver.server.close();
  }
}

main().catch((error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
