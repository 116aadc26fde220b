import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { discoverApiRoutes } from '../../../infra/api-routes';
import { parseStackConfig } from '../../../infra/config';
import { LightningPaymentsStack } from '../../../infra/stack';

/** Context that skips esbuild: cdk-synth.test.ts bundles every function for real. */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] } as const;

/** The production deployment most template tests read: stage prod, regtest, a fixed LND host. */
export const PROD_CONTEXT = { stage: 'prod', network: 'regtest', lndGrpcHost: 'lnd.internal:10009' } as const;

const outdirs = new Set<string>();

/**
 * An App whose cloud assembly goes to a temp dir of its own: without `outdir`, every synth
 * leaves a /tmp/cdk.out* dir behind. removeTestOutdirs (after each file, see outdir-cleanup.ts) removes it.
 */
export function testApp(props: AppProps = {}): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'infra-test-'));
  outdirs.add(outdir);
  return new App({ ...props, outdir });
}

export function removeTestOutdirs(): void {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
  outdirs.clear();
}

export interface SynthesizedStack {
  readonly app: App;
  readonly stack: LightningPaymentsStack;
  readonly template: Template;
}

const synthesized = new Map<string, Promise<SynthesizedStack>>();

/**
 * The whole stack for one CDK context, built and synthesized once per process: the infra
 * files share one worker (vitest.config.ts, integration-infra), where a second synth of
 * the same stack would cost seconds and prove nothing more. Callers only read the result.
 */
export function synthesizedStack(context: Record<string, unknown> = PROD_CONTEXT): Promise<SynthesizedStack> {
  const key = JSON.stringify(context);
  let result = synthesized.get(key);
  if (!result) {
    result = synthesize(context);
    synthesized.set(key, result);
    // A failed synth is reported to each caller, not cached.
    result.catch(() => synthesized.delete(key));
  }
  return result;
}

/** A synth of its own, not shared: for a test that reads the assembly's files (the shared ones are removed after each file). */
export async function synthesize(context: Record<string, unknown>): Promise<SynthesizedStack> {
  const apiRoutes = await discoverApiRoutes();
  const app = testApp({ context: NO_BUNDLING });
  const stack = new LightningPaymentsStack(app, 'Test', { config: parseStackConfig(context), apiRoutes });
  // Template.fromStack reads the template from the assembly now; after that it lives in memory only.
  const template = Template.fromStack(stack);
  return { app, stack, template };
}
