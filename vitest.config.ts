import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { clnProject } from './vitest.cln.config';

// The SDK's notice that its 2027 releases need Node 22 is about upgrades, not this run
// (the global setup runs in this process, the tests in workers that get `env` below).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Tests by kind (`npm run test:unit`, `test:integration`, `test:system`; `npm test` runs
 * all three, then the role check and the chaos suite, which have configs of their own):
 * - unit: pure, no process, no network, no DynamoDB: seconds;
 * - integration: DynamoDB Local (one for the run), the LND simulator, the pipeline with its
 *   bridge, real HTTP, `cdk synth`; integration-infra: the synthesized template, in one worker;
 * - system: the whole product as users run it (`npm start`, the browser).
 */
export const UNIT_TESTS = [
  'test/unit/checkout-page.test.ts',
  'test/unit/ids.test.ts',
  'test/unit/money.test.ts',
  'test/unit/bolt11-decode.test.ts',
  'test/unit/node-routes.test.ts',
  'test/unit/architecture.test.ts',
  'test/lnd/int64.test.ts',
  'test/lnd/error-mapping.test.ts',
  'test/lnd/proto-wire-contract.test.ts',
  'test/cln/wire-contract.test.ts',
  'test/node/lnd-node-errors.test.ts',
  'test/node/lnd-node-mapping.test.ts',
  'test/node/api-node.test.ts',
  'test/node/cln-node-mapping.test.ts',
  'test/node/cln-node-errors.test.ts',
  'test/node/cln-node-adapter.test.ts',
  'test/client/errors.test.ts',
  'test/client/idempotency-keys.test.ts',
  'test/client/pagination.test.ts',
  'test/client/webhooks.test.ts',
  'test/pipeline/aws-adapters.test.ts',
  'test/pipeline/bridge-config.test.ts',
  'test/reports/dynamodb-json.test.ts',
  'test/reports/formatting.test.ts',
  'test/webhooks/secret-sealer.test.ts',
  'test/webhooks/ssrf-guard.test.ts',
  'test/node/node-config-env-fields.test.ts',
];
const SYSTEM_TESTS = ['test/e2e/**/*.test.ts'];
/** Run by their own configs: the role check needs the records of a finished run; chaos wants the machine to itself. */
const SEPARATE = ['test/bench/**', 'test/chaos/**', 'test/infra/roles.test.ts', 'node_modules/**'];
/**
 * The template tests synthesize the stack in their own process: loading aws-cdk-lib and a
 * first synth cost seconds of CPU per process, a second synth of the same stack little, so
 * they share one worker. cdk-synth.test.ts waits on a child `cdk synth` and stays in `integration`.
 */
const IN_PROCESS_SYNTH = ['test/infra/**/!(cdk-synth).test.ts'];

const shared = {
  // Records every AWS call of each component when AWS_CALL_RECORD_DIR is set (npm test).
  setupFiles: ['test/support/aws-call-recorder-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks' as const,
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
};
// One real DynamoDB Local for the run, shared by the projects that need it; each test file makes its own table.
const dynamoDbLocal = ['test/support/global-setup.ts'];

const projects: TestProjectInlineConfiguration[] = [
  { test: { ...shared, name: 'unit', include: UNIT_TESTS } },
  {
    test: {
      ...shared,
      name: 'integration',
      include: ['test/**/*.test.ts'],
      exclude: [...UNIT_TESTS, ...SYSTEM_TESTS, ...SEPARATE, ...IN_PROCESS_SYNTH],
      globalSetup: dynamoDbLocal,
    },
  },
  {
    test: {
      ...shared,
      name: 'integration-infra',
      include: IN_PROCESS_SYNTH,
      exclude: SEPARATE,
      // Template tests make no AWS call to record; this removes the cloud assemblies their Apps write.
      setupFiles: ['test/infra/support/outdir-cleanup.ts'],
      poolOptions: { forks: { singleFork: true, isolate: false } },
    },
  },
  { test: { ...shared, name: 'system', include: SYSTEM_TESTS, globalSetup: dynamoDbLocal } },
  // The acceptance flows a second time, on the Core Lightning simulator (vitest.cln.config.ts).
  clnProject,
];

// Vitest runs one worker on two cores (cores − 1), but these suites mostly wait on DynamoDB
// Local, child processes and timers, not on the CPU: three files at a time. TEST_WORKERS overrides.
const maxWorkers = Number(process.env.TEST_WORKERS) || 3;

export default defineConfig({ test: { projects, maxWorkers, minWorkers: 1, reporters: ['default'] } });
