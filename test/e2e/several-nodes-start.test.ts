import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import bolt11 from 'bolt11';
import { afterAll, describe, expect, it } from 'vitest';
import type { LightningBackend } from '../../functions/lib/node/node-config';
import { freePortRun, killStack, npmStartUntilReady, runCommand as run, stopStack, type StartedStack } from '../support/npm-start-process';

const NODES = 2;
const INVOICES = 6;

async function json<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('LNSIM_NODES=2 npm start', () => {
  const dataDirs: string[] = [];
  const stacks: StartedStack[] = [];
  afterAll(() => {
    for (const stack of stacks) killStack(stack);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each<LightningBackend>(['lnd', 'cln'])(
    'on %s: two simulated nodes in the banner and /readyz, invoices spread over both and each paid through the other node’s control API, all credited once',
    async (backend) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'several-nodes-'));
      dataDirs.push(dataDir);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PORT: String(await freePortRun()),
        DYNAMODB_LOCAL_PORT: String(await freePortRun()),
        LNSIM_GRPC_PORT: String(await freePortRun(NODES)),
        LNSIM_CONTROL_PORT: String(await freePortRun(NODES)),
        BRIDGE_HTTP_PORT: String(await freePortRun()),
        DATA_DIR: dataDir,
        LIGHTNING_BACKEND: backend,
        LNSIM_NODES: String(NODES),
      };
      const grpcBase = Number(env.LNSIM_GRPC_PORT);
      const controlBase = Number(env.LNSIM_CONTROL_PORT);
      const controlUrls = [0, 1].map((index) => `http://127.0.0.1:${controlBase + index}`);
      const stack = await npmStartUntilReady(env);
      stacks.push(stack);
      const name = backend === 'cln' ? 'Core Lightning' : 'LND';
      expect(stack.output()).toContain(`node: 2 ${name} simulators (sim-1, sim-2)`);
      for (const index of [0, 1]) {
        expect(stack.output()).toMatch(new RegExp(`${name} simulator sim-${index + 1} +gRPC 127\\.0\\.0\\.1:${grpcBase + index}, control API ${controlUrls[index]}`));
      }

      const bridge = `http://127.0.0.1:${env.BRIDGE_HTTP_PORT}`;
      // The streams connect just after the ready line: /readyz says when, per node.
      const checks = await until('both streams in /readyz', async () => {
        const ready = await json<{ checks: Record<string, boolean> }>(`${bridge}/readyz`);
        return ready.status === 200 ? ready.body.checks : undefined;
      });
      expect(checks).toMatchObject({ 'invoiceStream:sim-1': true, 'invoiceStream:sim-2': true });
      const metrics = await (await fetch(`${bridge}/metrics`)).text();
      expect(metrics).toMatch(/bridge_invoice_stream_connected\{node="sim-1"\} 1/);
      expect(metrics).toMatch(/bridge_invoice_stream_connected\{node="sim-2"\} 1/);

      const pubkeys = await Promise.all(controlUrls.map(async (url) => (await json<{ pubkey: string }>(`${url}/node`)).body.pubkey));
      expect(new Set(pubkeys).size).toBe(2);

      const created = await run(process.execPath, ['--import', 'tsx', 'scripts/admin.ts', 'merchant:create', '--name', 'Two nodes'], env);
      expect(created.code, created.output).toBe(0);
      const merchant = JSON.parse(created.stdout.trim()) as { secret_key: string; default_account_id: string };
      const api = `http://localhost:${env.PORT}`;
      const headers = { authorization: `Bearer ${merchant.secret_key}`, 'content-type': 'application/json' };

      const invoices: Array<{ id: string; bolt11: string; amount: number; issuer: number }> = [];
      // The API places by the bridge's node status items, which it caches for a few seconds: right
      // after start one node may not be known healthy yet, so keep creating until both have issued.
      const createInvoice = async () => {
        const amount = 10_000 + invoices.length * 1_000;
        const answer = await json<{ id: string; bolt11: string }>(`${api}/v1/invoices`, { method: 'POST', headers, body: JSON.stringify({ amount_msat: amount }) });
        expect(answer.status, JSON.stringify(answer.body)).toBe(201);
        const issuer = pubkeys.indexOf(bolt11.decode(answer.body.bolt11).payeeNodeKey!);
        expect(issuer).toBeGreaterThanOrEqual(0);
        invoices.push({ ...answer.body, amount, issuer });
      };
      for (let index = 0; index < INVOICES; index++) await createInvoice();
      await until('invoices on both nodes', async () => (new Set(invoices.map((invoice) => invoice.issuer)).size === 2 ? true : void (await createInvoice())));
      expect(new Set(invoices.map((invoice) => invoice.issuer))).toEqual(new Set([0, 1]));

      for (const invoice of invoices) {
        // Through the control API of the node that did NOT issue it: the simulators pass it on.
        const paid = await json<{ status: string }>(`${controlUrls[1 - invoice.issuer]}/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bolt11: invoice.bolt11 }) });
        expect(paid.body).toMatchObject({ status: 'settled' });
      }
      for (const invoice of invoices) {
        await until(`invoice ${invoice.id} paid`, async () => ((await json<{ status: string }>(`${api}/v1/invoices/${invoice.id}`, { headers })).body.status === 'paid' ? true : undefined));
      }
      const total = invoices.reduce((sum, invoice) => sum + invoice.amount, 0);
      const account = await json<{ balance_msat: number }>(`${api}/v1/accounts/${merchant.default_account_id}`, { headers });
      expect(account.body.balance_msat).toBe(total);
      const published = await (await fetch(`${bridge}/metrics`)).text();
      for (const index of [0, 1]) {
        const settled = invoices.filter((invoice) => invoice.issuer === index).length;
        expect(published).toMatch(new RegExp(`bridge_settlements_published_total\\{node="sim-${index + 1}"\\} ${settled}\\b`));
      }

      expect(await stopStack(stack)).toEqual([]);
      expect(stack.output()).toMatch(/^stop: done$/m);
    },
    240_000,
  );

  it('refuses LNSIM_NODES outside 1 to 4 with one line', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'several-nodes-'));
    dataDirs.push(dataDir);
    const { code, output } = await run('npm', ['start'], { ...process.env, DATA_DIR: dataDir, LNSIM_NODES: '5', PORT: String(await freePortRun()) });
    expect(code).toBe(1);
    expect(output).toContain('error: LNSIM_NODES: LNSIM_NODES must be a whole number from 1 to 4');
    expect(output).not.toMatch(/\n\s+at /);
  }, 60_000);
});
