import fc from 'fast-check';
import type { ApiHarness, ApiReply } from '../api-harness';
import { dynamoDbEndpoint } from '../table';
import { loadDocument, operationsOf, schemeOfKey, type Json, type OperationSpec } from './document';
import { requestsFor, type Caller, type PlanContext, type PlannedRequest } from './requests';
import { responseContradictions } from './response-check';
import { meaningfulChanges, stateContradictions } from './state-check';
import { FuzzStats } from './stats';
import { watchTableChanges, type TableChange, type TableChangeWatch } from './table-changes';
import { DocumentValidator } from './validator';
import { FuzzWorld } from './world';

/**
 * Contract fuzzing: requests generated from docs/openapi.json for each operation, sent over
 * real HTTP, and every answer checked against the same document (response-check.ts) and
 * against the table's stream (state-check.ts).
 *
 *   const fuzz = await ContractFuzz.start(api);
 *   await fc.assert(fuzz.property(operation), { numRuns, seed });
 */
export class ContractFuzz {
  readonly operations: OperationSpec[];
  private readonly validator: DocumentValidator;
  private readonly contractHeaders: Set<string>;
  private readonly plan: PlanContext;

  private constructor(
    private readonly api: ApiHarness,
    readonly world: FuzzWorld,
    private readonly watch: TableChangeWatch,
    readonly stats: FuzzStats,
    document: Json,
  ) {
    this.operations = operationsOf(document);
    this.validator = new DocumentValidator(document);
    this.contractHeaders = new Set(Object.keys(document.components?.headers ?? {}).map((name) => name.toLowerCase()));
    const keys: Partial<Record<Caller, string>> = { shopSecret: world.shop.secret_key, shopInvoice: world.shop.invoice_key, otherSecret: world.other.secret_key };
    this.plan = {
      document,
      validator: this.validator,
      schemeOf: (caller) => (keys[caller] ? schemeOfKey(document, keys[caller]) : undefined),
    };
  }

  static async start(api: ApiHarness, document: Json = loadDocument()): Promise<ContractFuzz> {
    const world = await FuzzWorld.create(api, document);
    const watch = await watchTableChanges(dynamoDbEndpoint(), api.table.name);
    return new ContractFuzz(api, world, watch, new FuzzStats(), document);
  }

  /** The same world and table watch, checked against another document (a planted mismatch), with a tally of its own. */
  against(document: Json): ContractFuzz {
    return new ContractFuzz(this.api, this.world, this.watch, new FuzzStats(), document);
  }

  operation(operationId: string): OperationSpec {
    const found = this.operations.find((operation) => operation.operationId === operationId);
    if (!found) throw new Error(`no operation ${operationId} in the document`);
    return found;
  }

  /** One generated request per run: sent (twice, when it is a retry), then its answers and the table checked. */
  property(operation: OperationSpec): fc.IAsyncProperty<[PlannedRequest]> {
    return fc.asyncProperty(requestsFor(operation, { ...this.plan, hints: this.world.hintsFor(operation.path) }), async (request) => {
      const reply = await this.exchange(operation, request);
      if (request.retried) {
        const retry = await this.exchange(operation, request, reply);
        // The first answer again, and nothing done twice (functions/openapi/headers.ts, Idempotency-Key).
        if (retry.reply.status !== reply.reply.status || retry.reply.text !== reply.reply.text) {
          retry.problems.push(`a retry with the same Idempotency-Key answered ${retry.reply.status} ${retry.reply.text.slice(0, 120)}, first ${reply.reply.status} ${reply.reply.text.slice(0, 120)}`);
        }
        if (retry.changed.length > 0) retry.problems.push(`a retry with the same Idempotency-Key changed the table: ${retry.changed.slice(0, 4).join('; ')}`);
        if (retry.problems.length > 0) throw new ContractContradiction(retry.problems, request, retry.reply);
      }
      if (reply.problems.length > 0) throw new ContractContradiction(reply.problems, request, reply.reply);
    });
  }

  /** Sends the request, checks its answer and what it changed, and learns from it. */
  private async exchange(operation: OperationSpec, request: PlannedRequest, first?: Exchange): Promise<Exchange> {
    const reply = await this.send(request);
    if (process.env.FUZZ_DEBUG) console.error(`${first ? 'retry ' : ''}${request.method} ${request.target.slice(0, 100)} ${request.caller} ${request.invalid ?? 'valid'} ${typeof request.body === 'string' ? request.body.slice(0, 160) : ''} → ${reply.status} ${reply.text.slice(0, 160)}`);
    const changes = await this.watch.drain();
    const problems = [
      ...responseContradictions(operation, request, reply, { validator: this.validator, contractHeaders: this.contractHeaders }),
      ...(await stateContradictions(reply.status, changes, this.api.table)),
    ];
    this.stats.record(request, reply.status, typeof reply.body?.error?.code === 'string' ? reply.body.error.code : undefined, problems);
    this.world.remember(request.caller === 'otherSecret' ? this.world.other : request.caller.startsWith('shop') ? this.world.shop : undefined, reply, operation.path);
    return { reply, problems, changed: meaningfulChanges(changes).map((change) => `${change.event} ${change.pk} ${change.sk}`) };
  }

  private send(request: PlannedRequest): Promise<ApiReply> {
    const headers = { ...request.headers, ...authorizationOf(request.caller, this.world) };
    const body = request.body === undefined ? undefined : typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body);
    return this.api.request(request.method, request.target, { headers, ...(body ? { rawBody: body } : {}) });
  }

  /** What the table gained since the last request was checked. */
  tableChanges(): Promise<TableChange[]> {
    return this.watch.drain();
  }

  close(): void {
    this.watch.close();
  }
}

function authorizationOf(caller: Caller, world: FuzzWorld): Record<string, string> {
  switch (caller) {
    case 'shopSecret':
      return { authorization: `Bearer ${world.shop.secret_key}` };
    case 'shopInvoice':
      return { authorization: `Bearer ${world.shop.invoice_key}` };
    case 'otherSecret':
      return { authorization: `Bearer ${world.other.secret_key}` };
    case 'unknownKey':
      return { authorization: `Bearer sk_${'0'.repeat(40)}` };
    case 'notBearer':
      return { authorization: `Basic ${Buffer.from(`${world.shop.secret_key}:`).toString('base64')}` };
    case 'none':
      return {};
  }
}

interface Exchange {
  reply: ApiReply;
  problems: string[];
  /** What the request changed in the table, bookkeeping aside. */
  changed: string[];
}

/** An answer the document does not allow, with the request that got it. */
export class ContractContradiction extends Error {
  constructor(
    readonly problems: string[],
    readonly request: PlannedRequest,
    reply: ApiReply,
  ) {
    const body = typeof request.body === 'string' ? request.body.slice(0, 300) : request.body ? `bytes ${JSON.stringify(request.body)}` : '(none)';
    super(
      [
        `${request.method} ${request.target.slice(0, 300)} as ${request.caller}${request.invalid ? ` — invalid: ${request.invalid}` : ''}`,
        `  headers ${JSON.stringify(request.headers)}, body ${body}`,
        `  → ${reply.status} ${reply.text.slice(0, 300)}`,
        ...problems.map((problem) => `  ✗ ${problem}`),
      ].join('\n'),
    );
    this.name = 'ContractContradiction';
  }
}
