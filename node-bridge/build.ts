import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bridgeBundleOptions, copyProtosBeside } from './bundle-options';

/**
 * Bundles the node-bridge into dist/main.mjs (one ESM file, dependencies included) and
 * ships LND's protos beside it, where the client looks for them (or set LND_PROTO_DIR).
 * `npm run build:bridge`; the Dockerfile runs the same.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'node-bridge/dist');

await rm(outDir, { recursive: true, force: true });
await build(bridgeBundleOptions(path.join(root, 'node-bridge/main.ts'), path.join(outDir, 'main.mjs')));
await copyProtosBeside(root, outDir);
console.log(`node-bridge bundled into ${path.relative(root, outDir)}/main.mjs with proto/`);
