/**
 * Operator commands against the local stack's DynamoDB Local or, with the deployed table's
 * name in TABLE_NAME and AWS credentials, against AWS.
 *
 *   npm run admin -- merchant:create --name "Shop"
 *   npm run admin -- merchant:list
 *   npm run admin -- key:rotate --merchant mch_... --kind secret|invoice
 *   npm run admin -- rate-limit:set --merchant mch_... --limit N|default   (requests per second)
 *   npm run admin -- webhooks:seal-secrets   (once after upgrading: seals plaintext webhook secrets)
 *   npm run admin -- outbox:redrive [--dry-run] [--discard-batch-descriptions] [--max-messages N] [--queue-url URL]
 *       (sends parked outbox records on once their items are fixed; see docs/RUNBOOK.md#outboxnotempty)
 *
 * Output is JSON, one line per result; errors are one line on stderr and exit code 1.
 */
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { isIdOf, IdPrefix } from '../functions/lib/ids';
import { ApiKeyKind } from '../functions/lib/merchants/api-key';
import { createMerchant } from '../functions/lib/merchants/create-merchant';
import { listMerchants } from '../functions/lib/merchants/repository';
import { setMerchantRateLimit } from '../functions/lib/merchants/rate-limit';
import { KeyRotationConflictError, rotateApiKey } from '../functions/lib/merchants/rotate-key';
import { NotFoundError } from '../functions/lib/errors';
import { createTable, type Table } from '../functions/lib/table/client';
import { secretSealerFromEnv } from '../functions/lib/webhooks/kms-sealer';
import { sealLegacyWebhookSecrets } from '../functions/lib/webhooks/seal-legacy-secrets';
import type { SecretSealer } from '../functions/lib/webhooks/secret-sealer';
import { EventBridgeBus } from '../functions/lib/bus/eventbridge-bus';
import { SqsQueue } from '../functions/lib/queue/sqs-queue';
import type { Queue } from '../functions/lib/queue/queue';
import { OUTBOX_FAILURES_RUNBOOK, redriveOutboxFailures, type OutboxRedriveDeps } from '../functions/outbox/redrive';
import { delivery } from '../infra/delivery';
import { BUS_INGRESS_QUEUE, LocalBusClient } from '../infra/local/aws/local-bus';
import { LocalQueues } from '../infra/local/aws/local-queue';
import { localQueueTableName } from '../infra/local/aws/local-queue-table';
import { INVOICE_CANCEL_QUEUE, OUTBOX_FAILURES_QUEUE, PAYOUT_QUEUE } from '../infra/local/pipeline';

export const DEFAULT_LOCAL_TABLE = 'lightning-payments';

export class UsageError extends Error {}

export interface AdminTarget {
  tableName: string;
  /** undefined: AWS, through the SDK's usual credential and region chain. */
  endpoint: string | undefined;
  region: string;
}

/**
 * Where to go: DYNAMODB_ENDPOINT if set; AWS when AWS configuration is present (a profile,
 * keys, or a container/SSO role); otherwise DynamoDB Local on DYNAMODB_LOCAL_PORT (8000).
 */
export function adminTarget(env: NodeJS.ProcessEnv = process.env): AdminTarget {
  const awsConfigured = Boolean(env.AWS_PROFILE || env.AWS_ACCESS_KEY_ID || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_WEB_IDENTITY_TOKEN_FILE);
  const port = z.coerce.number().int().min(1).max(65_535).safeParse(env.DYNAMODB_LOCAL_PORT ?? '8000');
  if (!port.success) throw new UsageError(`DYNAMODB_LOCAL_PORT must be a port number, got ${JSON.stringify(env.DYNAMODB_LOCAL_PORT)}`);
  const endpoint = env.DYNAMODB_ENDPOINT || (awsConfigured ? undefined : `http://127.0.0.1:${port.data}`);
  const tableName = env.TABLE_NAME || (endpoint ? DEFAULT_LOCAL_TABLE : '');
  if (!tableName) throw new UsageError('TABLE_NAME must name the deployed table (see the stack outputs)');
  return { tableName, endpoint, region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1' };
}

function connect(target: AdminTarget): Table {
  return createTable(target.tableName, {
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 2,
  });
}

/** Fails with a sentence an operator can act on before any write is tried. */
async function checkTable(target: AdminTarget, missingHint = '(set TABLE_NAME)'): Promise<void> {
  const client = new DynamoDBClient({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 1,
  });
  try {
    await client.send(new DescribeTableCommand({ TableName: target.tableName }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new UsageError(`table ${target.tableName} does not exist${target.endpoint ? ` at ${target.endpoint}` : ''} ${missingHint}`);
    }
    if (target.endpoint) {
      throw new UsageError(`cannot reach DynamoDB Local at ${target.endpoint}: is \`npm start\` running? (or set DYNAMODB_LOCAL_PORT / DYNAMODB_ENDPOINT)`);
    }
    throw new UsageError(`cannot reach DynamoDB in ${target.region}: ${(error as Error).name} (check AWS credentials and AWS_REGION)`);
  } finally {
    client.destroy();
  }
}

/**
 * The webhook secrets key: WEBHOOK_SECRETS_KMS_KEY_ARN (the stack output) for AWS, else the
 * local stack's key file under DATA_DIR. Never a new key: secrets sealed under a key nobody
 * else has would no longer open.
 */
function webhookSecretsSealer(target: AdminTarget, env: NodeJS.ProcessEnv): SecretSealer {
  if (env.WEBHOOK_SECRETS_KMS_KEY_ARN || env.WEBHOOK_SECRETS_KEY_FILE) return secretSealerFromEnv({ ...env, AWS_REGION: target.region });
  const keyFile = join(env.DATA_DIR || '.data', 'webhook-secrets.key');
  if (!target.endpoint || !existsSync(keyFile)) {
    throw new UsageError('webhooks:seal-secrets needs WEBHOOK_SECRETS_KMS_KEY_ARN (see the stack outputs), or the local stack\'s key file (DATA_DIR/webhook-secrets.key)');
  }
  return secretSealerFromEnv({ WEBHOOK_SECRETS_KEY_FILE: keyFile });
}

/** The flags each command takes. */
const COMMAND_FLAGS: Record<string, string[]> = {
  'merchant:create': ['name'],
  'merchant:list': [],
  'key:rotate': ['merchant', 'kind'],
  'rate-limit:set': ['merchant', 'limit'],
  'webhooks:seal-secrets': [],
  'outbox:redrive': ['dry-run', 'discard-batch-descriptions', 'max-messages', 'queue-url'],
};

const redriveArgsSchema = z.object({
  'dry-run': z.boolean().optional(),
  'discard-batch-descriptions': z.boolean().optional(),
  'max-messages': z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/, 'outbox:redrive --max-messages needs a whole number from 1 to 999999')
    .optional(),
  'queue-url': z.url({ message: 'outbox:redrive --queue-url needs the URL of the outbox failures queue (https://sqs.<region>.amazonaws.com/<account>/<name>)' }).optional(),
});

interface RedriveArgs {
  dryRun: boolean;
  discardBatchDescriptions: boolean;
  maxMessages: number | undefined;
  queueUrl: string | undefined;
}

function redriveArgs(values: Record<string, unknown>): RedriveArgs {
  const parsed = redriveArgsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]!.message);
  const args = parsed.data;
  return {
    dryRun: args['dry-run'] ?? false,
    discardBatchDescriptions: args['discard-batch-descriptions'] ?? false,
    maxMessages: args['max-messages'] ? Number(args['max-messages']) : undefined,
    queueUrl: args['queue-url'],
  };
}

/** The outbox's environment in AWS (the Outbox function's own variables, same names). */
const awsOutboxEnvSchema = z.object({
  PAYOUT_QUEUE_URL: z.url('PAYOUT_QUEUE_URL must be the URL of the payout queue'),
  INVOICE_CANCEL_QUEUE_URL: z.url('INVOICE_CANCEL_QUEUE_URL must be the URL of the invoice cancel queue'),
  EVENT_BUS_NAME: z.string('EVENT_BUS_NAME must name the event bus').min(1, 'EVENT_BUS_NAME must name the event bus'),
});

/** Where outbox:redrive reads and sends, validated before anything is touched. */
type RedriveConfig =
  | { backend: 'local'; queueTableName: string }
  | { backend: 'aws'; failuresUrl: string; outbox: z.infer<typeof awsOutboxEnvSchema> | undefined };

/**
 * Locally (DynamoDB Local): the local stack's queues in its queue table (LOCAL_QUEUE_TABLE,
 * default `<TABLE_NAME>-local-queues`) and its bus ingress. In AWS: the outbox failures queue
 * from --queue-url or OUTBOX_FAILURES_QUEUE_URL, and, unless --dry-run, PAYOUT_QUEUE_URL,
 * INVOICE_CANCEL_QUEUE_URL and EVENT_BUS_NAME (the Outbox function's environment holds all four).
 */
function redriveConfig(target: AdminTarget, env: NodeJS.ProcessEnv, args: RedriveArgs): RedriveConfig {
  if (target.endpoint) {
    if (args.queueUrl) throw new UsageError('outbox:redrive --queue-url is for AWS; locally the queue is outbox-failures in the local stack\'s queue table (LOCAL_QUEUE_TABLE)');
    return { backend: 'local', queueTableName: env.LOCAL_QUEUE_TABLE || localQueueTableName(target.tableName) };
  }
  const failuresUrl = z.url().safeParse(args.queueUrl ?? env.OUTBOX_FAILURES_QUEUE_URL);
  if (!failuresUrl.success) {
    throw new UsageError('outbox:redrive needs the outbox failures queue: --queue-url URL or OUTBOX_FAILURES_QUEUE_URL (the Outbox function\'s environment has it)');
  }
  if (args.dryRun) return { backend: 'aws', failuresUrl: failuresUrl.data, outbox: undefined };
  const outboxEnv = awsOutboxEnvSchema.safeParse(env);
  if (!outboxEnv.success) {
    throw new UsageError(
      `outbox:redrive sends to the outbox's destinations: ${outboxEnv.error.issues.map((issue) => issue.message).join('; ')} (copy them from the Outbox function's environment; --dry-run needs none)`,
    );
  }
  return { backend: 'aws', failuresUrl: failuresUrl.data, outbox: outboxEnv.data };
}

interface OutboxQueues {
  failures: Queue;
  outbox: OutboxRedriveDeps['outbox'];
  waitTimeSec: number;
  close(): void;
}

async function openOutboxQueues(target: AdminTarget, config: RedriveConfig): Promise<OutboxQueues> {
  if (config.backend === 'local') {
    const queueTarget = { ...target, tableName: config.queueTableName };
    await checkTable(queueTarget, '(the local stack\'s queue table: run `npm start` once with this TABLE_NAME, or set LOCAL_QUEUE_TABLE)');
    const queueTable = connect(queueTarget);
    const queues = new LocalQueues(queueTable);
    return {
      // The pipeline's own settings: a message received maxReceiveCount times moves to the DLQ here too.
      failures: queues.queue(OUTBOX_FAILURES_QUEUE, { maxReceiveCount: delivery.queues.outboxFailures.maxReceiveCount }),
      outbox: {
        payoutQueue: queues.queue(PAYOUT_QUEUE, { maxReceiveCount: delivery.queues.payout.maxReceiveCount }),
        invoiceCancelQueue: queues.queue(INVOICE_CANCEL_QUEUE, { maxReceiveCount: delivery.queues.invoiceCancel.maxReceiveCount }),
        bus: new LocalBusClient(queues.queue(BUS_INGRESS_QUEUE)),
      },
      waitTimeSec: 0,
      close: () => queueTable.doc.destroy(),
    };
  }
  const sqs = new SQSClient({ region: target.region, maxAttempts: 3 });
  const eventBridge = new EventBridgeClient({ region: target.region, maxAttempts: 3 });
  return {
    failures: new SqsQueue(sqs, config.failuresUrl),
    outbox: config.outbox
      ? {
          payoutQueue: new SqsQueue(sqs, config.outbox.PAYOUT_QUEUE_URL),
          invoiceCancelQueue: new SqsQueue(sqs, config.outbox.INVOICE_CANCEL_QUEUE_URL),
          bus: new EventBridgeBus(eventBridge, config.outbox.EVENT_BUS_NAME),
        }
      : undefined,
    // Long polling asks every SQS server: a short poll may miss messages.
    waitTimeSec: 1,
    close: () => {
      sqs.destroy();
      eventBridge.destroy();
    },
  };
}

export async function runAdmin(argv: string[], env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = console.log): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      merchant: { type: 'string' },
      kind: { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'discard-batch-descriptions': { type: 'boolean' },
      'max-messages': { type: 'string' },
      'queue-url': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  // A flag of another command is refused, not ignored: `merchant:create --dry-run` must not create.
  const allowed = COMMAND_FLAGS[command ?? ''];
  const stray = allowed ? Object.keys(values).filter((flag) => !allowed.includes(flag)) : [];
  if (stray.length > 0) throw new UsageError(`${command} does not take ${stray.map((flag) => `--${flag}`).join(', ')}`);
  const run = async (work: (table: Table) => Promise<void>) => {
    const target = adminTarget(env);
    await checkTable(target);
    const table = connect(target);
    try {
      await work(table);
    } finally {
      table.doc.destroy();
    }
  };

  switch (command) {
    case 'merchant:create': {
      const name = values.name?.trim();
      if (!name || name.length > 200) throw new UsageError('merchant:create needs --name "Shop name" (1 to 200 characters)');
      return run(async (table) => print(JSON.stringify(await createMerchant(table, { name }))));
    }
    case 'merchant:list':
      return run(async (table) => {
        for (const merchant of await listMerchants(table)) {
          print(JSON.stringify({ merchant_id: merchant.id, name: merchant.name, default_account_id: merchant.default_account_id, created_at: merchant.created_at }));
        }
      });
    case 'key:rotate': {
      const merchantId = values.merchant ?? '';
      if (!isIdOf(IdPrefix.merchant, merchantId)) throw new UsageError('key:rotate needs --merchant mch_...');
      const kind = values.kind;
      if (kind !== ApiKeyKind.secret && kind !== ApiKeyKind.invoice) throw new UsageError('key:rotate needs --kind secret or --kind invoice');
      return run(async (table) => {
        const key = await rotateApiKey(table, { merchantId, kind });
        print(JSON.stringify({ merchant_id: merchantId, kind, [kind === 'secret' ? 'secret_key' : 'invoice_key']: key }));
      });
    }
    case 'rate-limit:set': {
      const merchantId = values.merchant ?? '';
      if (!isIdOf(IdPrefix.merchant, merchantId)) throw new UsageError('rate-limit:set needs --merchant mch_...');
      const limit = values.limit === 'default' ? undefined : Number(values.limit);
      if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1)) throw new UsageError('rate-limit:set needs --limit N (requests per second, at least 1) or --limit default');
      return run(async (table) => {
        await setMerchantRateLimit(table, merchantId, limit);
        print(JSON.stringify({ merchant_id: merchantId, rate_limit: limit ?? 'default' }));
      });
    }
    case 'webhooks:seal-secrets': {
      const sealer = webhookSecretsSealer(adminTarget(env), env);
      return run(async (table) => print(JSON.stringify(await sealLegacyWebhookSecrets(table, sealer))));
    }
    case 'outbox:redrive': {
      const options = redriveArgs(values);
      const target = adminTarget(env);
      const config = redriveConfig(target, env, options);
      return run(async (table) => {
        const queues = await openOutboxQueues(target, config);
        try {
          const deps: OutboxRedriveDeps = { table, failures: queues.failures, ...(queues.outbox ? { outbox: queues.outbox } : {}) };
          const summary = await redriveOutboxFailures(
            deps,
            { dryRun: options.dryRun, discardBatchDescriptions: options.discardBatchDescriptions, waitTimeSec: queues.waitTimeSec, ...(options.maxMessages ? { maxMessages: options.maxMessages } : {}) },
            (line) => print(JSON.stringify(line)),
          );
          print(JSON.stringify({ summary: { queue: queues.failures.name, ...summary }, ...(summary.left > 0 ? { runbook: OUTBOX_FAILURES_RUNBOOK } : {}) }));
        } finally {
          queues.close();
        }
      });
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}; use merchant:create, merchant:list, key:rotate, rate-limit:set, webhooks:seal-secrets or outbox:redrive`);
  }
}

/** Errors whose message is meant for the operator; anything else shows only its kind. */
function operatorMessage(error: unknown): string {
  if (error instanceof UsageError || error instanceof NotFoundError || error instanceof KeyRotationConflictError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return (error as Error).message;
  return `admin failed: ${error instanceof Error ? error.name : String(error)}`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  runAdmin(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`error: ${operatorMessage(error)}`);
    process.exitCode = 1;
  });
}
