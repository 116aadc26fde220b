import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * proto/cln/ of the repository, found by walking up from this file; a bundle has a copy
 * of proto/ beside it (node-bridge/bundle-options.ts). CLN_PROTO_DIR points elsewhere.
 */
export function resolveClnProtoDir(): string {
  const fromEnv = process.env.CLN_PROTO_DIR;
  if (fromEnv) return fromEnv;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'proto', 'cln');
    if (existsSync(path.join(candidate, 'node.proto'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('cannot find the Core Lightning proto files: set CLN_PROTO_DIR to the proto/cln folder');
}
