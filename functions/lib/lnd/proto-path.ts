import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LND_PROTO_FILES = [
  'lightning.proto',
  'invoicesrpc/invoices.proto',
  'routerrpc/router.proto',
] as const;

/**
 * Bundlers move this file away from the repo, so a deployed function can
 * point at its copy of `proto/` with LND_PROTO_DIR.
 */
export function resolveProtoDir(): string {
  const fromEnv = process.env.LND_PROTO_DIR;
  if (fromEnv) return fromEnv;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'proto');
    if (existsSync(path.join(candidate, 'lightning.proto'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error('cannot find the LND proto files: set LND_PROTO_DIR to the proto/ folder');
}
