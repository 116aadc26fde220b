/**
 * The API benchmark's load generator, run as a child process of its own so that the client
 * does not share the API's event loop: closed loop, `concurrency` keep-alive connections,
 * one request per entry of the plan. Prints one JSON line: latencies, wall time, statuses.
 *
 *   node --import tsx bench/http-load.ts <plan.json>
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

export interface LoadPlan {
  /** http://127.0.0.1:port */
  baseUrl: string;
  concurrency: number;
  requests: Array<{ method: string; path: string; key: string; body?: unknown }>;
}

export interface LoadResult {
  latenciesMs: number[];
  elapsedMs: number;
  statuses: Record<string, number>;
  /** A few failed answers, for the error message. */
  failures: string[];
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const url = new URL(plan.baseUrl);
  const send = (entry: LoadPlan['requests'][number]) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const body = entry.body === undefined ? undefined : JSON.stringify(entry.body);
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: entry.method,
          path: entry.path,
          headers: {
            authorization: `Bearer ${entry.key}`,
            ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          response.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(plan.concurrency, plan.requests.length) }, async () => {
      for (;;) {
        const index = next++;
        const entry = plan.requests[index];
        if (!entry) return;
        const t0 = performance.now();
        try {
          const answer = await send(entry);
          latenciesMs.push(performance.now() - t0);
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status >= 400 && failures.length < 5) failures.push(`${answer.status} ${answer.text.slice(0, 200)}`);
        } catch (error) {
          statuses.network = (statuses.network ?? 0) + 1;
          if (failures.length < 5) failures.push((error as Error).message);
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { latenciesMs, elapsedMs, statuses, failures };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const plan = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as LoadPlan;
  process.stdout.write(`${JSON.stringify(await run(plan))}\n`);
}
