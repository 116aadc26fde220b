import { inject } from 'vitest';

/**
 * Points the bridge spawns of this test file (infra/local/bridge-process.ts) at the run's
 * bundle, built by the global setup; without one (a config without that setup) they stay on tsx.
 * Only workers that start a pipeline set it, so `npm start` in the e2e test keeps its own tsx path.
 */
export function useRunBridgeBundle(): void {
  const bundle = inject('localBridgeBundle');
  if (bundle) process.env.LOCAL_BRIDGE_BUNDLE = bundle;
}
