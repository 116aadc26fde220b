import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles the node-bridge into dist/main.mjs (one ESM file, dependencies included) and
 * ships LND's protos beside it, where the client looks for them (or set LND_PROTO_DIR).
 * `npm run build:bridge`; the Dockerfile runs the same.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'node-bridge/dist');

await rm(outDir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'node-bridge/main.ts')],
  outfile: path.join(outDir, 'main.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS dependencies (grpc-js, protobufjs, the AWS SDK) still call require().
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
await cp(path.join(root, 'proto'), path.join(outDir, 'proto'), { recursive: true });
console.log(`node-bridge bundled into ${path.relative(root, outDir)}/main.mjs with proto/`);
