import { parseArgs } from 'node:util';

/** A wrong or missing argument: the CLI prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type ReportSource =
  | { kind: 'export-dir'; dir: string }
  | { kind: 'export-s3'; bucket: string; prefix: string }
  | { kind: 'table'; tableName: string };

export interface ReportOptions {
  source: ReportSource;
  /** Inclusive lower bound, an ISO-8601 UTC timestamp (`YYYY-MM-DDT00:00:00.000Z` for a date). */
  from?: string;
  /** Exclusive upper bound, same form. */
  to?: string;
  merchantId?: string;
  outDir: string;
  /** The node's liquidity, to hold customer balances against. */
  nodeBalanceMsat?: bigint;
  /** "Now" for the age of open items. @default the export's exportTime, or the start of a table scan */
  asOf?: string;
  region?: string;
  quiet: boolean;
}

export const USAGE = `Usage: npm run report -- (--export <dir | s3://bucket/prefix> | --table <name>) [options]

Source (exactly one):
  --export <dir | s3://bucket/prefix>  a DynamoDB table export (DYNAMODB_JSON, full export): the
                                       folder holding manifest-summary.json, or a folder/prefix
                                       holding AWSDynamoDB/<ExportId>/ folders (the newest
                                       complete export is used)
  --table <name>                       scan a live table instead (AWS, or DynamoDB Local when
                                       DYNAMODB_ENDPOINT or DYNAMODB_LOCAL_PORT is set)

Options:
  --from <YYYY-MM-DD>            first UTC day of the period, inclusive (or an ISO timestamp)
  --to <YYYY-MM-DD>              UTC day the period ends, exclusive (or an ISO timestamp)
  --merchant <mch_...>           only this merchant's accounts, objects and entries
  --out <dir>                    where the reports go (default ./finance-report)
  --node-balance-msat <integer>  the node's liquidity, held against customer balances
  --as-of <ISO timestamp>        "now" for open items (default: export time, or scan start)
  --region <region>              AWS region for S3/DynamoDB (default: the SDK's usual chain)
  --quiet                        no progress on stderr
  --help                         this text

Exit codes: 0 every check passed, 1 a check failed, 2 usage error, 3 unreadable or corrupt input.`;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const MERCHANT_ID = /^mch_[0-9a-z]{1,64}$/;
const INTEGER = /^\d+$/;

/** Parses the command line; `undefined` means --help was asked for. */
export function parseReportArgs(argv: string[]): ReportOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        export: { type: 'string' },
        table: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        merchant: { type: 'string' },
        out: { type: 'string' },
        'node-balance-msat': { type: 'string' },
        'as-of': { type: 'string' },
        region: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values;
  if (values.help) return undefined;

  if ((values.export === undefined) === (values.table === undefined)) {
    throw new UsageError('give exactly one source: --export <dir | s3://bucket/prefix> or --table <name>');
  }
  const source = values.export !== undefined ? exportSource(values.export) : tableSource(values.table ?? '');
  const from = values.from === undefined ? undefined : boundary('--from', values.from);
  const to = values.to === undefined ? undefined : boundary('--to', values.to);
  if (from !== undefined && to !== undefined && from >= to) throw new UsageError(`--from (${from}) must be before --to (${to})`);

  if (values.merchant !== undefined && !MERCHANT_ID.test(values.merchant)) {
    throw new UsageError(`--merchant must be a merchant id (mch_...), got ${JSON.stringify(values.merchant)}`);
  }
  let nodeBalanceMsat: bigint | undefined;
  const nodeBalance = values['node-balance-msat'];
  if (nodeBalance !== undefined) {
    if (!INTEGER.test(nodeBalance)) throw new UsageError(`--node-balance-msat must be a whole number of msat >= 0, got ${JSON.stringify(nodeBalance)}`);
    if (values.merchant !== undefined) throw new UsageError('--node-balance-msat covers every merchant: it cannot be combined with --merchant');
    nodeBalanceMsat = BigInt(nodeBalance);
  }
  const asOf = values['as-of'] === undefined ? undefined : timestamp('--as-of', values['as-of']);
  if (values.out === '') throw new UsageError('--out needs a directory');

  return {
    source,
    from,
    to,
    merchantId: values.merchant,
    outDir: values.out ?? 'finance-report',
    nodeBalanceMsat,
    asOf,
    region: values.region,
    quiet: values.quiet ?? false,
  };
}

function exportSource(value: string): ReportSource {
  if (value.startsWith('s3://')) {
    const rest = value.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const prefix = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new UsageError(`--export: not an S3 bucket name: ${JSON.stringify(bucket)}`);
    return { kind: 'export-s3', bucket, prefix };
  }
  if (value === '') throw new UsageError('--export needs a directory or an s3:// URL');
  return { kind: 'export-dir', dir: value };
}

function tableSource(value: string): ReportSource {
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(value)) throw new UsageError(`--table: not a DynamoDB table name: ${JSON.stringify(value)}`);
  return { kind: 'table', tableName: value };
}

/** A period boundary: a UTC date means its midnight; a full timestamp is taken as given. */
function boundary(flag: string, value: string): string {
  const date = DATE.exec(value);
  if (!date) return timestamp(flag, value);
  const iso = `${value}T00:00:00.000Z`;
  const parsed = new Date(iso);
  // Date rolls 2026-02-30 over to March: a real date survives the round trip unchanged.
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString() !== iso) throw new UsageError(`${flag}: not a real date: ${value}`);
  return iso;
}

function timestamp(flag: string, value: string): string {
  const parsed = new Date(value);
  // Date rolls 02-30 over to March: a real timestamp keeps its date and time in the round trip.
  if (!TIMESTAMP.test(value) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 19) !== value.slice(0, 19)) {
    throw new UsageError(`${flag} must be a UTC date (YYYY-MM-DD) or an ISO-8601 UTC timestamp (…Z), got ${JSON.stringify(value)}`);
  }
  return parsed.toISOString();
}
