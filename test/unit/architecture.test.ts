/**
 * Which way imports point (docs/ARCHITECTURE.md), checked with dependency-cruiser on the
 * real import graph: no cycles; the domain, the handlers and the bridge never import a
 * local stand-in of an AWS service or the local stack; library code never imports a
 * handler; only the composition roots (infra/local, the bridge's main.ts, the CDK app)
 * choose adapters. Each rule is also run against a file that breaks it, so a rule that can
 * no longer match anything fails here instead of passing vacuously.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';

const SOURCES = ['functions', 'node-bridge', 'infra', 'lnd-simulator', 'reports', 'scripts', 'bench'];

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
    ])('%s', { timeout: 60_000 }, async (rule, file, source, target) => {
      const dir = `case-${rule}`;
      write({ [`${dir}/${file}`]: source, [`${dir}/${target}`]: 'export const LocalQueue = 1, Stack = 1, handler = 1, SqsQueue = 1;\n' });
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
