import { cp } from 'node:fs/promises';
import path from 'node:path';
import type { BuildOptions } from 'esbuild';

/**
 * The esbuild settings of every node-bridge bundle: the ECS image's (node-bridge/build.ts)
 * and the local bridge a test run builds once (test/support/local-bridge-bundle.ts).
 */
export function bridgeBundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Run with `node --enable-source-maps` for stack traces that name the .ts files.
    sourcemap: true,
    // Bundling renames clashing classes (QueryCommand of two SDK packages); errors and the
    // SDK call recorder go by constructor names.
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    // Bundled CommonJS dependencies (grpc-js, protobufjs, the AWS SDK) still call require().
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  };
}

/** LND's protos beside the bundle, where the client looks for them (functions/lib/lnd/proto-path.ts), or set LND_PROTO_DIR. */
export async function copyProtosBeside(repoRoot: string, outDir: string): Promise<void> {
  await cp(path.join(repoRoot, 'proto'), path.join(outDir, 'proto'), { recursive: true });
}
