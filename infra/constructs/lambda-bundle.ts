import path from 'node:path';
import type { BuildOptions } from 'esbuild';
import { buildSync } from 'esbuild';
import type { BundlingOptions, ILocalBundling } from 'aws-cdk-lib';

/**
 * The esbuild settings of every Lambda bundle: what `cdk synth` ships (LocalEsbuildBundling
 * below) and what `npm run bench` measures (bench/cold-start.ts).
 */
export function lambdaBundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    // ESM bundles need a require() for the CommonJS dependencies they inline.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    // The runtime's AWS SDK v3: bundling it measured no faster an init (`npm run bench -- --only
    // cold` times both) and would put every function past 300 KB.
    external: ['@aws-sdk/*'],
    logLevel: 'warning',
  };
}

/**
 * Bundles one function in this process with the repository's esbuild: no Docker, and no
 * `npx esbuild` child per function (which cost CDK's NodejsFunction most of a synth).
 * The bundle is the whole asset: the node routes speak gRPC through node/light's
 * hand-written messages, so no .proto file ships beside them.
 */
export class LocalEsbuildBundling implements ILocalBundling {
  constructor(private readonly entry: string) {}

  tryBundle(outputDir: string, _options: BundlingOptions): boolean {
    buildSync(lambdaBundleOptions(this.entry, path.join(outputDir, 'index.mjs')));
    return true;
  }
}
