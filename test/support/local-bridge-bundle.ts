import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bridgeBundleOptions, copyProtosBeside } from '../../node-bridge/bundle-options';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(REPO_ROOT, 'test/support/bridge-test-main.ts');

export interface LocalBridgeBundle {
  /** The .mjs to run with plain node (infra/local/bridge-process.ts, `bundle`). */
  file: string;
  /** Bundles the current sources again into the same file (a watch-mode rerun). */
  rebuild(): Promise<void>;
  /** Synchronous, so a signal handler finishes it before the process exits. */
  remove(): void;
}

/**
 * Bundles the local bridge once for a test run, into a temp dir of its own (runs of other
 * checkouts or terminals never share it): one node start of about 0.4 s instead of tsx
 * compiling the whole import graph on every spawn.
 */
export async function buildLocalBridgeBundle(): Promise<LocalBridgeBundle> {
  const dir = await mkdtemp(path.join(tmpdir(), 'local-bridge-'));
  const file = path.join(dir, 'bridge.mjs');
  // The sources are on disk: the map only points at them.
  const bundle = () => build({ ...bridgeBundleOptions(ENTRY, file), sourcesContent: false });
  try {
    await Promise.all([bundle(), copyProtosBeside(REPO_ROOT, dir)]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let pending: Promise<void> | undefined;
  return {
    file,
    rebuild() {
      // Each project of the run asks on a rerun: one build serves them all.
      pending ??= bundle().then(
        () => void (pending = undefined),
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      );
      return pending;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
