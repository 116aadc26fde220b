/**
 * Which way imports point (docs/ARCHITECTURE.md), checked with dependency-cruiser on the
 * real import graph: no cycles; the domain, the handlers and the bridge never import a
 * local stand-in of an AWS service or the local stack; library code never imports a
 * handler; only the composition roots (infra/local, the bridge's main.ts, the CDK app)
 * choose adapters; only the node port's adapters (functions/lib/node) import a node client.
 * Each rule is also run against a file that breaks it, so a rule that can no longer match
 * anything fails here instead of passing vacuously.
 *
 * Beside the import rules, one rule on the source: a stored object's key is built only by
 * the module that owns the object (its repository, and the constructor of its new item).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const SOURCES = ['functions', 'node-bridge', 'infra', 'lnd-simulator', 'cln-simulator', 'reports', 'scripts', 'bench'];

const RULES: IForbiddenRuleType[] = [
  { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  {
    name: 'no-local-stand-ins-outside-the-local-stack',
    comment: 'the local stand-ins of AWS services and the local stack are composition roots: only they and tests use them',
    severity: 'error',
    from: { path: '^(functions|node-bridge|lnd-simulator|reports)/' },
    to: { path: '^infra/local/' },
  },
  {
    name: 'no-infra-in-the-domain',
    comment: 'the domain and the handlers know nothing of the CDK app; the bridge may read the delivery settings (plain numbers)',
    severity: 'error',
    from: { path: '^(functions|node-bridge)/' },
    to: { path: '^infra/', pathNot: '^infra/(delivery\\.ts|local/)' },
  },
  {
    name: 'no-handler-in-library-code',
    comment: 'functions/lib is what handlers are made of; it never imports a handler module',
    severity: 'error',
    from: { path: '^functions/lib/' },
    to: { path: '^functions/', pathNot: '^functions/lib/' },
  },
  {
    name: 'bridge-adapters-only-in-its-transport',
    comment: 'the bridge receives its queues and bus; only aws-transport.ts (used by main.ts) makes SQS and EventBridge clients',
    severity: 'error',
    from: { path: '^node-bridge/src/', pathNot: '^node-bridge/src/aws-transport\\.ts$' },
    to: { path: '^(functions/lib/queue/sqs-queue|functions/lib/bus/eventbridge-bus)\\.ts$' },
  },
  {
    name: 'node-clients-only-in-node-adapters',
    comment: 'everything reaches a node through the node port (functions/lib/node); only its adapters there import the LND or Core Lightning client',
    severity: 'error',
    from: { path: '^(functions|node-bridge|infra|scripts|reports)/', pathNot: '^functions/lib/(node|lnd|cln)/' },
    to: { path: '^functions/lib/(lnd|cln)/' },
  },
  {
    name: 'powertools-only-in-the-runtime-kit',
    comment: 'every Lambda logs through functions/lib/runtime/log.ts (powertoolsLog), so there is one logger setup and one Log interface',
    severity: 'error',
    from: { pathNot: '^functions/lib/runtime/' },
    to: { path: '(^|/)@aws-lambda-powertools/' },
  },
];

async function violationsIn(paths: string[], baseDir?: string): Promise<string[]> {
  const { output } = await cruise(
    paths,
    {
      tsPreCompilationDeps: true,
      // Packages are in the graph (a rule may name one) but not cruised into.
      exclude: { path: '(^|/)(cdk\\.out|dist|\\.data)/' },
      doNotFollow: { path: '(^|/)node_modules/' },
      validate: true,
      ruleSet: { forbidden: RULES },
      ...(baseDir ? { baseDir } : {}),
    },
    undefined,
    baseDir ? undefined : { tsConfig: { fileName: 'tsconfig.json' } },
  );
  return (output as ICruiseResult).summary.violations.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`);
}

describe('architecture: the import rules hold', () => {
  it('has no violation in the code', { timeout: 60_000 }, async () => {
    expect(await violationsIn(SOURCES)).toEqual([]);
  });

  // Probes live in a scratch tree of their own (same layout, stub targets), never in the repository.
  describe('each rule catches a file that breaks it', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'architecture-'));
    const write = (files: Record<string, string>) => {
      for (const [file, source] of Object.entries(files)) {
        mkdirSync(path.join(scratch, path.dirname(file)), { recursive: true });
        writeFileSync(path.join(scratch, file), source);
      }
      return Object.keys(files);
    };
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it.each([
      ['no-local-stand-ins-outside-the-local-stack', 'functions/lib/probe.ts', "import { LocalQueue } from '../../infra/local/aws/local-queue';\nexport const probe = LocalQueue;\n", 'infra/local/aws/local-queue.ts'],
      ['no-infra-in-the-domain', 'functions/lib/probe.ts', "import { Stack } from '../../infra/stack';\nexport const probe = Stack;\n", 'infra/stack.ts'],
      ['no-handler-in-library-code', 'functions/lib/probe.ts', "import { handler } from '../settle-invoice/handler';\nexport const probe = handler;\n", 'functions/settle-invoice/handler.ts'],
      ['powertools-only-in-the-runtime-kit', 'functions/outbox/probe.ts', "import { Logger } from '@aws-lambda-powertools/logger';\nexport const probe = Logger;\n", 'node_modules/@aws-lambda-powertools/logger/index.ts'],
      ['bridge-adapters-only-in-its-transport', 'node-bridge/src/probe.ts', "import { SqsQueue } from '../../functions/lib/queue/sqs-queue';\nexport const probe = SqsQueue;\n", 'functions/lib/queue/sqs-queue.ts'],
      ['node-clients-only-in-node-adapters', 'node-bridge/src/probe.ts', "import { LndClient } from '../../functions/lib/lnd/client';\nexport const probe = LndClient;\n", 'functions/lib/lnd/client.ts'],
      ['node-clients-only-in-node-adapters', 'functions/invoices/probe.ts', "import { ClnClient } from '../lib/cln/client';\nexport const probe = ClnClient;\n", 'functions/lib/cln/client.ts'],
    ])('%s (%s)', { timeout: 60_000 }, async (rule, file, source, target) => {
      const dir = `case-${rule}-${path.dirname(file).replaceAll('/', '-')}`;
      write({ [`${dir}/${file}`]: source, [`${dir}/${target}`]: 'export const LocalQueue = 1, Stack = 1, handler = 1, SqsQueue = 1, LndClient = 1, ClnClient = 1;\n' });
      expect((await violationsIn([file], path.join(scratch, dir))).some((violation) => violation.startsWith(`${rule}:`))).toBe(true);
    });

    it('no-circular', { timeout: 60_000 }, async () => {
      write({
        'cycle/functions/lib/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
        'cycle/functions/lib/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
      });
      expect((await violationsIn(['functions'], path.join(scratch, 'cycle'))).some((violation) => violation.startsWith('no-circular:'))).toBe(true);
    });
  });
});

/**
 * One owner per stored object: only these modules use `keys.invoice`, `keys.withdrawal` or
 * `keys.webhookEndpoint` (called or passed on). The repository holds the reads and every
 * write with the state it expects; the item module builds the new item, whose key is part of
 * its shape (the repository, seeds and reports create items from it).
 */
const KEY_OWNERS = {
  invoice: ['functions/lib/invoices/repository.ts', 'functions/lib/invoices/invoice.ts'],
  withdrawal: ['functions/lib/withdrawals/repository.ts', 'functions/lib/withdrawals/withdrawal.ts'],
  webhookEndpoint: ['functions/lib/webhooks/endpoint-repository.ts', 'functions/lib/webhooks/endpoint.ts'],
} as const;
type OwnedKey = keyof typeof KEY_OWNERS;

interface KeyException {
  file: string;
  key: OwnedKey;
  reason: string;
}

/** Every other use, with its reason. An exception that no longer matches a use fails the check, so the list only shrinks. */
const KEY_EXCEPTIONS: KeyException[] = [
  {
    file: 'functions/withdrawals/list.ts',
    key: 'withdrawal',
    reason: "the list page's start key; not yet moved into withdrawals/repository.ts as the invoice and endpoint lists were",
  },
  { file: 'bench/hot-account.ts', key: 'withdrawal', reason: 'a benchmark watches withdrawals finish from outside the product, as tests do' },
];

const SKIPPED_DIRS = new Set(['node_modules', 'cdk.out', 'dist', '.data']);

function sourceFiles(root: string, dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(root, relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

/** `keys.<owned key>` as code (a call or a reference), never in a comment or a string. */
function ownedKeyUses(file: string, source: string): Array<{ key: OwnedKey; line: number }> {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false);
  const uses: Array<{ key: OwnedKey; line: number }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'keys' && Object.hasOwn(KEY_OWNERS, node.name.text)) {
      uses.push({ key: node.name.text as OwnedKey, line: tree.getLineAndCharacterOfPosition(node.getStart(tree)).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(tree);
  return uses;
}

/** Uses of an owned key outside its owners and the exceptions, and exceptions that match no use. */
function keyOwnershipViolations(root: string, dirs: string[], exceptions: KeyException[]): string[] {
  const violations: string[] = [];
  const usedExceptions = new Set<KeyException>();
  for (const file of dirs.flatMap((dir) => sourceFiles(root, dir))) {
    for (const use of ownedKeyUses(file, readFileSync(path.join(root, file), 'utf8'))) {
      if ((KEY_OWNERS[use.key] as readonly string[]).includes(file)) continue;
      const exception = exceptions.find((candidate) => candidate.file === file && candidate.key === use.key);
      if (exception) usedExceptions.add(exception);
      else violations.push(`keys.${use.key} outside its owner: ${file}:${use.line}`);
    }
  }
  for (const exception of exceptions) if (!usedExceptions.has(exception)) violations.push(`stale exception: ${exception.file} (keys.${exception.key})`);
  return violations;
}

describe('architecture: one owner per stored object', () => {
  it('builds invoice, withdrawal and webhook endpoint keys only in their owners (and the listed exceptions)', () => {
    expect(keyOwnershipViolations(process.cwd(), SOURCES, KEY_EXCEPTIONS)).toEqual([]);
  });

  describe('the check catches what breaks it', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'key-owners-'));
    afterAll(() => rmSync(scratch, { recursive: true, force: true }));
    const tree = (name: string, files: Record<string, string>) => {
      const root = path.join(scratch, name);
      for (const [file, source] of Object.entries(files)) {
        mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
        writeFileSync(path.join(root, file), source);
      }
      return root;
    };
    const keysImport = "import { keys } from '../table/keys';\n";

    it('a ledger operation that builds the invoice key itself', () => {
      const root = tree('call', { 'functions/lib/ledger/probe.ts': `${keysImport}export const key = keys.invoice('inv_1');\n` });
      expect(keyOwnershipViolations(root, ['functions'], [])).toEqual(['keys.invoice outside its owner: functions/lib/ledger/probe.ts:2']);
    });

    it('a route that passes the endpoint key function on, and a bridge module that reads a withdrawal', () => {
      const root = tree('reference', {
        'functions/webhook-endpoints/probe.ts': `import { keys } from '../lib/table/keys';\nexport const page = { keyOf: keys.webhookEndpoint };\n`,
        'node-bridge/src/probe.ts': `import { keys } from '../../functions/lib/table/keys';\nexport const read = (id: string) => keys.withdrawal(id);\n`,
      });
      expect(keyOwnershipViolations(root, ['functions', 'node-bridge'], [])).toEqual([
        'keys.webhookEndpoint outside its owner: functions/webhook-endpoints/probe.ts:2',
        'keys.withdrawal outside its owner: node-bridge/src/probe.ts:2',
      ]);
    });

    it('lets the owners, other keys, comments and strings be; an exception covers only its own key', () => {
      const root = tree('allowed', {
        'functions/lib/invoices/repository.ts': `${keysImport}export const key = keys.invoice('inv_1');\n`,
        'functions/lib/ledger/probe.ts': `${keysImport}// keys.invoice(id) is the repository's\nexport const text = 'keys.withdrawal(id)';\nexport const hash = keys.invoicePaymentHash('ab');\n`,
        'functions/lib/ledger/excepted.ts': `${keysImport}export const a = keys.withdrawal('wd_1');\nexport const b = keys.invoice('inv_1');\n`,
      });
      const exception: KeyException = { file: 'functions/lib/ledger/excepted.ts', key: 'withdrawal', reason: 'probe' };
      expect(keyOwnershipViolations(root, ['functions'], [exception])).toEqual(['keys.invoice outside its owner: functions/lib/ledger/excepted.ts:3']);
    });

    it('an exception that no longer matches any use', () => {
      const root = tree('stale', { 'functions/lib/ledger/probe.ts': 'export const nothing = 1;\n' });
      const exception: KeyException = { file: 'functions/lib/ledger/probe.ts', key: 'invoice', reason: 'probe' };
      expect(keyOwnershipViolations(root, ['functions'], [exception])).toEqual(['stale exception: functions/lib/ledger/probe.ts (keys.invoice)']);
    });
  });
});
