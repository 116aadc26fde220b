import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: the chaos suite alone (vitest.config.ts leaves test/chaos out of
 * `npm test`), on the same global DynamoDB Local setup. CHAOS_SEED replays a run;
 * CHAOS_PROFILE=long runs the longer workload.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default'],
  },
});
