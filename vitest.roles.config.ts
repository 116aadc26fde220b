import { defineConfig } from 'vitest/config';

/**
 * `npm run test:roles`, run by `npm test` right after the suites: checks each role of the
 * synthesized stack against the AWS calls those suites recorded (AWS_CALL_RECORD_DIR).
 */
export default defineConfig({
  test: {
    include: ['test/infra/roles.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default'],
  },
});
