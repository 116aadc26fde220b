import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * /healthz: the process is alive (ECS restarts it otherwise). /readyz: it is connected to
 * LND and can work (503 with the reasons when not, and while shutting down). /metrics:
 * Prometheus text.
 */
export async function startHealthServer(options: {
  host: string;
  port: number;
  registry: Registry;
  readiness: () => { ready: boolean; checks: Record<string, boolean> };
}): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (request.method !== 'GET') return send(405, 'application/json', '{"error":"method not allowed"}');
    if (path === '/healthz') return send(200, 'application/json', '{"status":"ok"}');
    if (path === '/readyz') {
      const { ready, checks } = options.readiness();
      return send(ready ? 200 : 503, 'application/json', JSON.stringify({ status: ready ? 'ready' : 'not_ready', checks }));
    }
    if (path === '/metrics') {
      options.registry
        .metrics()
        .then((text) => send(200, options.registry.contentType, text))
        .catch(() => send(500, 'text/plain', 'metrics unavailable\n'));
      return;
    }
    send(404, 'application/json', '{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
