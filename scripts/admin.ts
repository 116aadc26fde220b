/**
 * Operator commands against the local stack's DynamoDB Local or, with the deployed table's
 * name in TABLE_NAME and AWS credentials, against AWS.
 *
 *   npm run admin -- merchant:create --name "Shop"
 *   npm run admin -- merchant:list
 *   npm run admin -- key:rotate --merchant mch_... --kind secret|invoice
 *   npm run admin -- rate-limit:set --merchant mch_... --limit N|default   (requests per second)
 *   npm run admin -- webhooks:seal-secrets   (once after upgrading: seals plaintext webhook secrets)
 *
 * Output is JSON, one line per result; errors are one line on stderr and exit code 1.
 */
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
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
async function checkTable(target: AdminTarget): Promise<void> {
  const client = new DynamoDBClient({
    region: target.region,
    ...(target.endpoint ? { endpoint: target.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 1,
  });
  try {
    await client.send(new DescribeTableCommand({ TableName: target.tableName }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new UsageError(`table ${target.tableName} does not exist${target.endpoint ? ` at ${target.endpoint}` : ''} (set TABLE_NAME)`);
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

export async function runAdmin(argv: string[], env: NodeJS.ProcessEnv = process.env, print: (line: string) => void = console.log): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { name: { type: 'string' }, merchant: { type: 'string' }, kind: { type: 'string' }, limit: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
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
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}; use merchant:create, merchant:list, key:rotate, rate-limit:set or webhooks:seal-secrets`);
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
