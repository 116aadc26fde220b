import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/lib/table/keys';
import { adminTarget, runAdmin } from '../../scripts/admin';
import { dynamoDbEndpoint } from '../support/table';
import { useApiHarness } from '../support/api-harness';

const execFileAsync = promisify(execFile);

describe('admin CLI', () => {
  const api = useApiHarness();
  const env = () => ({ DYNAMODB_ENDPOINT: dynamoDbEndpoint(), TABLE_NAME: api.table.name, AWS_REGION: 'us-east-1' });
  const admin = async (...argv: string[]) => {
    const lines: string[] = [];
    await runAdmin(argv, env(), (line) => lines.push(line));
    return lines.map((line) => JSON.parse(line));
  };

  it('merchant:create prints one JSON line whose keys work against the API', async () => {
    const [created, ...rest] = await admin('merchant:create', '--name', 'Corner Shop');
    expect(rest).toEqual([]);
    expect(created).toEqual({
      merchant_id: expect.stringMatching(/^mch_/),
      default_account_id: expect.stringMatching(/^acct_/),
      secret_key: expect.stringMatching(/^sk_/),
      invoice_key: expect.stringMatching(/^ik_/),
    });
    const account = await api.request('GET', `/v1/accounts/${created.default_account_id}`, { key: created.secret_key });
    expect(account.status).toBe(200);
    expect((await api.request('POST', '/v1/invoices', { key: created.invoice_key, body: { amount_msat: 1_000 } })).status).toBe(201);
    const listed = await admin('merchant:list');
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ merchant_id: created.merchant_id, name: 'Corner Shop' })]));
  });

  it('key:rotate replaces a key at once: the old one answers 401, the new one works, the other kind is untouched', async () => {
    const [shop] = await admin('merchant:create', '--name', 'Rotating');
    const [rotated] = await admin('key:rotate', '--merchant', shop.merchant_id, '--kind', 'secret');
    expect(rotated).toEqual({ merchant_id: shop.merchant_id, kind: 'secret', secret_key: expect.stringMatching(/^sk_/) });
    expect((await api.request('GET', '/v1/accounts', { key: shop.secret_key })).status).toBe(401);
    expect((await api.request('GET', '/v1/accounts', { key: rotated.secret_key })).status).toBe(200);
    expect((await api.request('GET', '/v1/accounts', { key: shop.invoice_key })).status).toBe(200);

    const [invoiceRotated] = await admin('key:rotate', '--merchant', shop.merchant_id, '--kind', 'invoice');
    expect((await api.request('GET', '/v1/accounts', { key: shop.invoice_key })).status).toBe(401);
    expect((await api.request('GET', '/v1/accounts', { key: invoiceRotated.invoice_key })).status).toBe(200);
  });

  it('two rotations at once leave exactly one live key', async () => {
    const [shop] = await admin('merchant:create', '--name', 'Race');
    const results = await Promise.allSettled([admin('key:rotate', '--merchant', shop.merchant_id, '--kind', 'secret'), admin('key:rotate', '--merchant', shop.merchant_id, '--kind', 'secret')]);
    const keys = results.filter((result) => result.status === 'fulfilled').map((result) => (result as PromiseFulfilledResult<Array<{ secret_key: string }>>).value[0]!.secret_key);
    const statuses = await Promise.all(keys.map(async (key) => (await api.request('GET', '/v1/accounts', { key })).status));
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
  });

  it('rate-limit:set stores a per-merchant limit, and --limit default removes it', async () => {
    const [shop] = await admin('merchant:create', '--name', 'Busy');
    expect(await admin('rate-limit:set', '--merchant', shop.merchant_id, '--limit', '3')).toEqual([{ merchant_id: shop.merchant_id, rate_limit: 3 }]);
    const { Item } = await api.table.doc.send(new GetCommand({ TableName: api.table.name, Key: keys.rateLimit(shop.merchant_id) }));
    expect(Item).toMatchObject({ limit_override: 3 });
    expect(await admin('rate-limit:set', '--merchant', shop.merchant_id, '--limit', 'default')).toEqual([{ merchant_id: shop.merchant_id, rate_limit: 'default' }]);
    const after = await api.table.doc.send(new GetCommand({ TableName: api.table.name, Key: keys.rateLimit(shop.merchant_id) }));
    expect(after.Item).not.toHaveProperty('limit_override');
    await expect(admin('rate-limit:set', '--merchant', shop.merchant_id, '--limit', '0')).rejects.toThrow(/--limit N/);
    await expect(admin('rate-limit:set', '--merchant', 'mch_06gzrswwp1m4ypa93mj1rs4f0j0w9byhzb9g', '--limit', '5')).rejects.toThrow(/No such merchant/);
  });

  it('refuses bad usage with a one-line message', async () => {
    await expect(admin('merchant:create')).rejects.toThrow(/--name/);
    await expect(admin('key:rotate', '--merchant', 'mch_x', '--kind', 'secret')).rejects.toThrow(/--merchant mch_/);
    await expect(admin('key:rotate', '--merchant', 'mch_06gzrswwp1m4ypa93mj1rs4f0j0w9byhzb9g', '--kind', 'admin')).rejects.toThrow(/--kind secret or --kind invoice/);
    await expect(admin('key:rotate', '--merchant', 'mch_06gzrswwp1m4ypa93mj1rs4f0j0w9byhzb9g', '--kind', 'secret')).rejects.toThrow(/No such merchant/);
    await expect(admin('merchant:delete')).rejects.toThrow(/unknown command/);
    await expect(runAdmin(['merchant:list'], { ...env(), TABLE_NAME: 'no-such-table' })).rejects.toThrow(/table no-such-table does not exist/);
    await expect(runAdmin(['merchant:list'], { DYNAMODB_LOCAL_PORT: '1' })).rejects.toThrow(/cannot reach DynamoDB Local at http:\/\/127.0.0.1:1: is `npm start` running\?/);
  });

  it('finds its target: DynamoDB Local on DYNAMODB_LOCAL_PORT by default, AWS when AWS is configured', () => {
    expect(adminTarget({})).toEqual({ tableName: 'lightning-payments', endpoint: 'http://127.0.0.1:8000', region: 'us-east-1' });
    expect(adminTarget({ DYNAMODB_LOCAL_PORT: '8123' }).endpoint).toBe('http://127.0.0.1:8123');
    expect(adminTarget({ AWS_PROFILE: 'prod', TABLE_NAME: 'Stack-Table', AWS_REGION: 'eu-west-1' })).toEqual({ tableName: 'Stack-Table', endpoint: undefined, region: 'eu-west-1' });
    expect(() => adminTarget({ AWS_PROFILE: 'prod' })).toThrow(/TABLE_NAME/);
  });

  it('runs as `npm run admin`: one JSON line on success, one error line and exit code 1 on failure', async () => {
    // The tsx that `npm run` puts on PATH, without npx's package resolution in front of it.
    const run = (args: string[], extraEnv: Record<string, string>) =>
      execFileAsync('node_modules/.bin/tsx', ['scripts/admin.ts', ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...extraEnv }, timeout: 60_000 });
    // Independent processes: started together, so the test waits for one start-up, not two.
    const [ok, failed] = await Promise.all([
      run(['merchant:create', '--name', 'From the shell'], env()),
      run(['merchant:list'], { DYNAMODB_LOCAL_PORT: '1' }).catch((error: { code: number; stdout: string; stderr: string }) => error),
    ]);
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(ok.stdout)).toHaveProperty('secret_key');
    expect((failed as { code: number }).code).toBe(1);
    const errorLines = (failed as { stderr: string }).stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errorLines).toEqual(['error: cannot reach DynamoDB Local at http://127.0.0.1:1: is `npm start` running? (or set DYNAMODB_LOCAL_PORT / DYNAMODB_ENDPOINT)']);
  });
});
