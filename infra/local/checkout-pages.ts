import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkoutResponse } from '../../functions/checkout/checkout';
import type { Table } from '../../functions/lib/table/client';
import type { FallbackHandler } from './http-server';
import { asComponent } from './component-context';

const CHECKOUT_PATH = /^\/checkout\/([^/]+)$/;

/** Serves GET /checkout/{id} on the local HTTP server, with the same code as the Lambda. */
export function checkoutPages(table: Table, options: { pollIntervalMs?: number } = {}): FallbackHandler {
  return asComponent('GET /checkout/{id}', async (request: IncomingMessage, response: ServerResponse) => {
    const match = CHECKOUT_PATH.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
    if (!match || request.method !== 'GET') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { type: 'not_found', code: 'not_found', message: 'No such route' } }));
      return;
    }
    const result = await checkoutResponse(table, decodeURIComponent(match[1]!), options);
    const { statusCode, headers, body } = result as { statusCode: number; headers: Record<string, string>; body: string };
    response.writeHead(statusCode, headers);
    response.end(body);
  });
}
