import { defineConfig } from 'vitest/config';

// The SDK's notice that its 2027 releases need Node 22 is about upgrades, not this run
// (the global setup runs in this process, the tests in workers that get `env` below).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The role check runs after the suites, on the AWS calls they recorded (vitest.roles.config.ts).
    exclude: ['test/bench/**', 'test/chaos/**', 'test/infra/roles.test.ts', 'node_modules/**'],
    // One real DynamoDB Local for the whole run; each test file makes its own table.
    globalSetup: ['test/support/global-setup.ts'],
    // Records every AWS call of each component when AWS_CALL_RECORD_DIR is set (npm test).
    setupFiles: ['test/support/aws-call-recorder-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default'],
  },
});
