import { spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BridgeProcessOptions {
  /** The bridge's whole environment (see node-bridge/src/config.ts), besides PATH, HOME and the like. */
  env: Record<string, string>;
  /** @default infra/local/bridge-main.ts of this repository (the bridge with the local queues and bus), run through tsx */
  entry?: string;
  /**
   * A bundle of the local bridge (test/support/local-bridge-bundle.ts builds one per test
   * run) to run with plain node instead of the tsx default; ignored when `entry` is given,
   * tsx again when the file is gone. It installs the AWS call recorder itself
   * (test/support/bridge-test-main.ts). @default LOCAL_BRIDGE_BUNDLE
   */
  bundle?: string;
  /** Appends every line the bridge prints to this file as well. */
  logFile?: string;
  /** @default 30000 */
  readyTimeoutMs?: number;
}

export interface BridgeProcess {
  pid: number;
  /** http://127.0.0.1:<port>: /healthz, /readyz, /metrics. */
  httpUrl: string;
  /** The last lines it printed (JSON logs), newest last. */
  logs(): string[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
  /** Sends the signal and waits for the exit; SIGKILL after `forceAfterMs` if it lingers. */
  kill(signal?: NodeJS.Signals, forceAfterMs?: number): Promise<void>;
}

const KEPT_LINES = 3000;

// What the child inherits from this process: the basics only, so a stray LND_* or queue
// variable of the parent can never change how the bridge connects or where it pays from.
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'NODE_EXTRA_CA_CERTS', 'SystemRoot'];

function tsxLoader(): string {
  const loader = path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs');
  return existsSync(loader) ? pathToFileURL(loader).href : 'tsx';
}

function nodeArguments(options: BridgeProcessOptions, recordDir: string | undefined): string[] {
  const bundle = options.bundle ?? process.env.LOCAL_BRIDGE_BUNDLE;
  if (options.entry === undefined && bundle && existsSync(bundle)) return ['--enable-source-maps', bundle];
  const entry = options.entry ?? path.join(REPO_ROOT, 'infra/local/bridge-main.ts');
  const recorder = recordDir ? ['--import', pathToFileURL(path.join(REPO_ROOT, 'test/support/aws-call-recorder-preload.ts')).href] : [];
  return ['--import', tsxLoader(), ...recorder, entry];
}

/**
 * Runs the node-bridge as a child process of its own, the same process as `node-bridge/main.ts`
 * in ECS (node-bridge/src/process.ts) with the local queues and bus, so tests can SIGKILL it. One process (node with tsx's loader, not the
 * tsx CLI, which would put a second process in between that a SIGKILL leaves behind; or plain node on a bundle),
 * with an IPC channel: the bridge exits by itself when its parent goes away.
 */
export async function spawnBridgeProcess(options: BridgeProcessOptions): Promise<BridgeProcess> {
  // The role test records every AWS call of the run, the bridge's too (test/support/aws-call-recorder.ts).
  const recordDir = process.env.AWS_CALL_RECORD_DIR;
  const child = spawn(process.execPath, nodeArguments(options, recordDir), {
    cwd: REPO_ROOT,
    env: {
      ...Object.fromEntries(INHERITED.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]])),
      ...(recordDir ? { AWS_CALL_RECORD_DIR: recordDir } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let running = true;
  void exited.then(() => (running = false));

  let resolveReady: (port: number) => void = () => {};
  const ready = new Promise<number>((resolve) => (resolveReady = resolve));
  const record = (line: string) => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
    if (options.logFile) appendFileSync(options.logFile, `${line}\n`);
    if (line.includes('"node-bridge ready"')) {
      try {
        resolveReady(Number((JSON.parse(line) as { httpPort: number }).httpPort));
      } catch {
        // not the line we are looking for
      }
    }
  };
  createInterface({ input: child.stdout! }).on('line', record);
  createInterface({ input: child.stderr! }).on('line', record);

  const kill = async (signal: NodeJS.Signals = 'SIGTERM', forceAfterMs = 10_000): Promise<void> => {
    if (!running) return;
    child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), forceAfterMs);
    await exited;
    clearTimeout(force);
  };

  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const port = await Promise.race([
    ready,
    exited.then(({ code, signal }) => {
      throw new Error(`node-bridge exited before it was ready (code ${code}, signal ${signal}):\n${lines.slice(-20).join('\n')}`);
    }),
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`node-bridge not ready after ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
    }),
  ]).catch(async (error: Error) => {
    await kill('SIGKILL');
    throw error;
  });
  clearTimeout(timer);

  return {
    pid: child.pid!,
    httpUrl: `http://127.0.0.1:${port}`,
    logs: () => [...lines],
    exited,
    get running() {
      return running;
    },
    kill,
  };
}
