import { PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes';
import { useWebhookQueues } from '../../functions/lib/webhooks/queues';
import { useApiHarness } from '../support/api-harness';
import { ContractFuzz } from '../support/contract-fuzz/contract-fuzz';
import { loadDocument, operationsOf, type Json } from '../support/contract-fuzz/document';
import { stateContradictions } from '../support/contract-fuzz/state-check';

// FUZZ_RUNS: requests for the whole run, shared out evenly over the operations (CI: a small
// budget; `npm run fuzz`: more). FUZZ_SEED repeats a run; every run prints the seed it used.
const RUNS = Number(process.env.FUZZ_RUNS ?? 220);
// CI runs a fixed seed (as the chaos suite does), so a landing is never decided by luck; locally each run explores.
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.CI ? 20261207 : Math.floor(Math.random() * 2 ** 31);
const document = loadDocument();
const operations = operationsOf(document);
const RUNS_PER_OPERATION = Math.max(3, Math.ceil(RUNS / operations.length));
/** Generous: a run costs a few tens of milliseconds on a loaded machine. */
const TIMEOUT_MS = 30_000 + RUNS_PER_OPERATION * 1_000;

describe('contract fuzz: every operation of docs/openapi.json, over real HTTP', () => {
  // A limiter that never refuses, so that answers carry the RateLimit headers the document promises.
  const api = useApiHarness({ merchantRateLimit: 1_000_000 });
  let fuzz: ContractFuzz;

  // Redelivery enqueues: the queues the local stack would hand in, here ones that only count.
  const enqueued: string[] = [];
  beforeAll(async () => {
    useWebhookQueues({ deliveries: { send: async (body) => void enqueued.push(body) }, deadLetters: { send: async (body) => void enqueued.push(body) } });
    fuzz = await ContractFuzz.start(api, document);
    console.log(`contract fuzz: seed ${SEED}, ${RUNS_PER_OPERATION} requests per operation (repeat with FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS})`);
  });
  afterAll(() => {
    useWebhookQueues(undefined);
    if (!fuzz) return;
    console.log(`contract fuzz (seed ${SEED}):\n${fuzz.stats.report()}\n  (${enqueued.length} webhook redeliveries enqueued)`);
    fuzz.close();
  });

  it('fuzzes every operation the route registry serves', () => {
    expect(operations.map((operation) => operation.operationId).sort()).toEqual(routes.map((route) => route.operationId).sort());
  });

  for (const [index, { operationId, method, path }] of operations.entries()) {
    it(
      `${operationId} (${method} ${path}): documented answers only, no 5xx, a refused request changes nothing`,
      async () => {
        const before = fuzz.stats.sentTo(operationId);
        // A seed of its own per operation (derived from the run's), so operations do not all make the same choices.
        await fc.assert(fuzz.property(fuzz.operation(operationId)), { numRuns: RUNS_PER_OPERATION, seed: SEED + index });
        // Retries with the same Idempotency-Key count as requests of their own.
        expect(fuzz.stats.sentTo(operationId) - before).toBeGreaterThanOrEqual(RUNS_PER_OPERATION);
      },
      TIMEOUT_MS,
    );
  }

  describe('fails when the API and the document disagree', () => {
    const planted = (change: (copy: Json) => void): Json => {
      const copy = structuredClone(document);
      change(copy);
      return copy;
    };
    const failureOf = async (changed: Json, operationId: string): Promise<string> => {
      const against = fuzz.against(changed);
      const result = await fc.check(against.property(against.operation(operationId)), { numRuns: 60, seed: SEED, endOnFailure: true });
      expect(result.failed, 'the fuzz found nothing wrong').toBe(true);
      return String(result.errorInstance);
    };

    it('a status the API answers with but the document leaves out (404 of getInvoice)', async () => {
      const changed = planted((copy) => delete copy.paths['/v1/invoices/{id}'].get.responses['404']);
      expect(await failureOf(changed, 'getInvoice')).toContain('status 404 is not documented for getInvoice');
    });

    it('a body that does not match its schema (an Account that must have an `owner`)', async () => {
      const changed = planted((copy) => copy.components.schemas.Account.required.push('owner'));
      expect(await failureOf(changed, 'getAccount')).toMatch(/200 body does not match .* must have required property 'owner'/);
    });

    it('a contract header the status does not document (RateLimit-Remaining of listTransfers)', async () => {
      const changed = planted((copy) => delete copy.paths['/v1/transfers'].get.responses['200'].headers['RateLimit-Remaining']);
      expect(await failureOf(changed, 'listTransfers')).toContain('carries header ratelimit-remaining, not documented for this status');
    });

    it('a write by a request that was refused: the table watch sees it', async () => {
      await api.table.doc.send(new PutCommand({ TableName: api.table.name, Item: { pk: 'PLANTED#write', sk: 'PLANTED', note: 'not the API' } }));
      const problems = await stateContradictions(404, await fuzz.tableChanges(), api.table);
      expect(problems).toEqual(['a 404 answer changed the table: INSERT PLANTED#write PLANTED']);
    });
  });
});
