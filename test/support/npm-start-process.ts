import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { descendantsOf, isAlive } from './process-tree';

/** Whether nothing listens on a loopback port right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A port the system hands out, with the `run` − 1 after it free too (several nodes use base + i − 1). */
export async function freePortRun(run = 1): Promise<number> {
  for (;;) {
    const base = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const rest = Array.from({ length: run - 1 }, (_, index) => base + index + 1);
    if (rest.every((port) => port <= 65535) && (await Promise.all(rest.map(portIsFree))).every(Boolean)) return base;
  }
}

export interface StartedStack {
  child: ChildProcess;
  /** Its processes once ready (npm's children are reparented when npm dies). */
  tree: number[];
  output(): string;
  exited: Promise<number | null>;
}

/** `npm start` as a user runs it, resolved once it prints its ready line. */
export async function npmStartUntilReady(env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<StartedStack> {
  const child = spawn('npm', ['start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.stdout!.on('data', () => {
      if (/^ready: /m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`));
    });
  });
  return { child, tree: descendantsOf(child.pid!), output: () => output, exited };
}

/** SIGTERM; resolves with the processes of the stack still alive after its clean stop (none, if it stops as it should). */
export async function stopStack(stack: StartedStack, graceMs = 15_000): Promise<number[]> {
  const tree = [...new Set([...stack.tree, ...descendantsOf(stack.child.pid!)])];
  stack.child.kill('SIGTERM');
  await stack.exited;
  const deadline = Date.now() + graceMs;
  while (tree.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return tree.filter(isAlive);
}

/** Last resort for a test that failed half-way: every process of the stack killed. */
export function killStack(stack: StartedStack): void {
  for (const pid of [...stack.tree, ...descendantsOf(stack.child.pid!), stack.child.pid!].filter(isAlive)) process.kill(pid, 'SIGKILL');
}

/** A command run to its end: its exit code, stdout and stderr together, and stdout alone. */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), (output += chunk.toString())));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output, stdout }));
  });
}
