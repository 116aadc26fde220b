import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { STATUS_PARTITION } from '../../functions/lib/node/node-status';
import type { IndexName } from '../../functions/lib/table/definition';

/**
 * Partition keys of the single table as IAM `StringLike` patterns (functions/lib/table/keys.ts).
 * `*` matches `#` too, so `MERCHANT#*` also reaches a merchant's external-id and idempotency
 * items: IAM cannot tell them apart (docs/DEPLOY.md, security).
 */
export const LeadingKey = {
  merchant: 'MERCHANT#*',
  accountExternalId: 'MERCHANT#*#EXTERNAL_ID#*',
  idempotency: 'MERCHANT#*#IDEMPOTENCY#*',
  apiKey: 'APIKEY#*',
  account: 'ACCOUNT#*',
  invoice: 'INVOICE#*',
  paymentHash: 'PAYMENT_HASH#*',
  withdrawal: 'WITHDRAWAL#*',
  transfer: 'TRANSFER#*',
  event: 'EVENT#*',
  webhookEndpoint: 'WEBHOOK_ENDPOINT#*',
  cursor: 'CURSOR#*',
  rateLimit: 'RATE_LIMIT#*',
  /** Every node's status item, one partition (written by the bridge, read by the node routes with several nodes). */
  nodeStatus: STATUS_PARTITION,
} as const;

/** Index partition keys (gsi1: a merchant's list of one kind; gsi2: work lists). */
export const IndexKey = {
  merchantList: (kind: string) => `MERCHANT#*#${kind}`,
  allMerchants: 'MERCHANTS',
  openInvoices: 'OPEN_INVOICES#*',
  openWithdrawals: 'OPEN_WITHDRAWALS#*',
} as const;

/** Item actions only: nothing keyless (Scan, DescribeTable) is ever granted. */
export type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'Query' | 'BatchGetItem' | 'BatchWriteItem';

export interface TableAccess {
  /** Actions on the table's items whose partition key matches one of `keys`. */
  readonly items?: ReadonlyArray<{ readonly actions: readonly ItemAction[]; readonly keys: readonly string[] }>;
  /** Query on an index, for index partition keys matching `keys`. */
  readonly indexQueries?: ReadonlyArray<{ readonly index: IndexName; readonly keys: readonly string[] }>;
}

/**
 * The one way a role gets the table: each action only on the partition keys it needs
 * (`dynamodb:LeadingKeys`). `ForAllValues` is true for a request with no key at all, so
 * every statement also requires a key to be present (`Null: false`); index queries are
 * granted on the index ARN, where the leading key is the index's partition key.
 * Transactions need the underlying item actions (PutItem, UpdateItem, ConditionCheckItem...).
 */
export function grantTableAccess(table: dynamodb.ITableV2, grantee: iam.IGrantable, access: TableAccess): void {
  const condition = (keys: readonly string[]) => ({
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...keys] },
    Null: { 'dynamodb:LeadingKeys': 'false' },
  });
  for (const grant of access.items ?? []) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: grant.actions.map((action) => `dynamodb:${action}`), resources: [table.tableArn], conditions: condition(grant.keys) }),
    );
  }
  for (const grant of access.indexQueries ?? []) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${grant.index}`], conditions: condition(grant.keys) }),
    );
  }
}
