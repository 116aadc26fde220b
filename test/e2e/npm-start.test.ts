import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortRun, killStack, npmStartUntilReady, runCommand as run, stopStack, type StartedStack } from '../support/npm-start-process';
import { descendantsOf } from '../support/process-tree';

const READY_TIMEOUT_MS = 120_000;

async function stackEnv(dataDir: string): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    PORT: String(await freePortRun()),
    DYNAMODB_LOCAL_PORT: String(await freePortRun()),
    LNSIM_GRPC_PORT: String(await freePortRun()),
    LNSIM_CONTROL_PORT: String(await freePortRun()),
    BRIDGE_HTTP_PORT: String(await freePortRun()),
    DATA_DIR: dataDir,
  };
}

/** SIGTERM, then the exit code, and every process the stack had started must be gone. */
async function stopAndExpectNothingLeft(stack: StartedStack): Promise<void> {
  expect(descendantsOf(stack.child.pid!).length).toBeGreaterThan(2);
  // npm forwards the signal and then ends by it; the stack itself reports a clean stop.
  const left = await stopStack(stack);
  expect(stack.output()).toMatch(/^stop: done$/m);
  expect(left).toEqual([]);
}

const npmStart = (env: NodeJS.ProcessEnv) => npmStartUntilReady(env, READY_TIMEOUT_MS);

describe('npm start', () => {
  const dataDirs: string[] = [];
  const running: StartedStack[] = [];
  const newDataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'npm-start-'));
    dataDirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    for (const stack of running) killStack(stack);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('starts, runs the demo, stops on SIGTERM leaving nothing, and keeps the data for the next start', async () => {
    const dataDir = newDataDir();
    const env = await stackEnv(dataDir);
    const first = await npmStart(env);
    running.push(first);
    expect(first.output()).toContain(`ready: API on http://localhost:${env.PORT}`);

    const resultFile = path.join(dataDir, 'demo-result.json');
    const demo = await run('npm', ['run', 'demo', '--', '--json-out', resultFile], env);
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toContain('Demo complete');
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as { secret_key: string; default_account_id: string; balance_msat: number };

    await stopAndExpectNothingLeft(first);

    const second = await npmStart(env);
    running.push(second);
    const headers = { authorization: `Bearer ${result.secret_key}` };
    const account = (await (await fetch(`http://localhost:${env.PORT}/v1/accounts/${result.default_account_id}`, { headers })).json()) as { balance_msat: number };
    expect(account.balance_msat).toBe(result.balance_msat);
    const withdrawals = (await (await fetch(`http://localhost:${env.PORT}/v1/withdrawals`, { headers })).json()) as { data: Array<{ status: string }> };
    expect(withdrawals.data.map((withdrawal) => withdrawal.status).sort()).toEqual(['failed', 'succeeded']);
    const invoices = (await (await fetch(`http://localhost:${env.PORT}/v1/invoices`, { headers })).json()) as { data: Array<{ status: string }> };
    expect(invoices.data.map((invoice) => invoice.status)).toEqual(['paid']);

    await stopAndExpectNothingLeft(second);
  }, 300_000);

  it('runs the whole stack and the demo on Core Lightning with LIGHTNING_BACKEND=cln, and stops leaving nothing', async () => {
    const dataDir = newDataDir();
    const env: NodeJS.ProcessEnv = { ...(await stackEnv(dataDir)), LIGHTNING_BACKEND: 'cln' };
    const stack = await npmStart(env);
    running.push(stack);
    expect(stack.output()).toContain(`ready: API on http://localhost:${env.PORT}, node: Core Lightning simulator`);
    expect(stack.output()).toMatch(new RegExp(`Core Lightning simulator +gRPC 127\\.0\\.0\\.1:${env.LNSIM_GRPC_PORT}, control API http://127\\.0\\.0\\.1:${env.LNSIM_CONTROL_PORT}`));
    expect(existsSync(path.join(dataDir, 'cln', 'client-key.pem'))).toBe(true);

    const demo = await run('npm', ['run', 'demo'], env);
    expect(demo.code, demo.output).toBe(0);
    expect(demo.output).toContain('Demo complete');

    await stopAndExpectNothingLeft(stack);
  }, 300_000);

  it('refuses a port already in use with one line that says what to do', async () => {
    const env = await stackEnv(newDataDir());
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env.PORT), '127.0.0.1', resolve));
    try {
      const { code, output } = await run('npm', ['start'], env);
      expect(code).toBe(1);
      expect(output).toContain(`error: port ${env.PORT} is already in use: stop what uses it, or set PORT to another port`);
      expect(output).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('refuses a half-configured real LND or Core Lightning with one line', async () => {
    const env = { ...(await stackEnv(newDataDir())), LND_GRPC_HOST: '127.0.0.1:10009' };
    const { code, output } = await run('npm', ['start'], env);
    expect(code).toBe(1);
    expect(output).toContain('error: to use a real LND, set all of LND_GRPC_HOST, LND_TLS_CERT_PATH and LND_MACAROON_PATH');

    const cln = await run('npm', ['start'], { ...(await stackEnv(newDataDir())), LIGHTNING_BACKEND: 'cln', CLN_GRPC_HOST: '127.0.0.1:9736' });
    expect(cln.code).toBe(1);
    expect(cln.output).toContain('error: to use a real Core Lightning, set all of CLN_GRPC_HOST, CLN_CA_CERT_PATH, CLN_CLIENT_CERT_PATH and CLN_CLIENT_KEY_PATH');
  }, 60_000);
});
