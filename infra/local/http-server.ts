import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dependencies } from '../../functions/http/dependencies';
import type { AnyRoute } from '../../functions/http/pipeline';
import type { HttpEvent, HttpHandler, HttpResult } from '../../functions/http/types';
import { asComponent } from './component-context';

/** A route as the server needs it: method, API Gateway path template, handler. */
export interface HttpRouteBinding {
  method: string;
  /** `/v1/invoices/{id}` */
  path: string;
  handler: HttpHandler;
}

/** Serves what no route matched outside `/v1/` (the checkout pages); undefined means 404. */
export type FallbackHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface StartHttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  routes: HttpRouteBinding[];
  fallback?: FallbackHandler;
  /**
   * In AWS, API Gateway throttles (stage and route limits) and answers 429 itself. Locally
   * a token bucket per API key (or client address) can stand in for it. @default off
   */
  rateLimit?: { requestsPerSecond: number; burst: number };
  /** Bodies above this are refused before they reach a handler (API Gateway's own cap is 10 MB). @default 1 MiB */
  maxReadBytes?: number;
}

export interface HttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The registry's routes with their pipelines built around one set of dependencies. */
export function bindRoutes(routes: AnyRoute[], deps: Dependencies | (() => Dependencies)): HttpRouteBinding[] {
  return routes.map((route) => ({ method: route.method, path: route.path, handler: asComponent(`${route.method} ${route.path}`, route.createHandler(deps)) }));
}

/**
 * Real HTTP in, API Gateway HTTP API (payload 2.0) events out, to the same handlers the
 * Lambdas run: routeKey, rawPath, pathParameters, queryStringParameters, lower-case
 * headers, body (base64 when it is not UTF-8), requestContext.http.method, requestId.
 */
export async function startHttpServer(options: StartHttpServerOptions): Promise<HttpServer> {
  const host = options.host ?? '127.0.0.1';
  const matchers = options.routes.map((binding) => ({ binding, match: compilePath(binding.path) }));
  const limiter = options.rateLimit ? tokenBuckets(options.rateLimit) : undefined;
  const maxReadBytes = options.maxReadBytes ?? 1024 * 1024;

  const server = createServer((request, response) => {
    void serve(request, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, errorBody('internal', 'internal_error', 'Something went wrong on our side'));
      else response.destroy();
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = (request.method ?? 'GET').toUpperCase();
    const found = findRoute(url.pathname, method);
    if (found.kind === 'none') {
      if (options.fallback && !url.pathname.startsWith('/v1/')) return options.fallback(request, response);
      request.resume();
      return sendJson(response, 404, errorBody('not_found', 'not_found', `No route ${method} ${url.pathname}`));
    }
    if (found.kind === 'method') {
      request.resume();
      return sendJson(response, 405, errorBody('invalid_request', 'method_not_allowed', `${method} is not allowed here`), {
        allow: found.allowed.join(', '),
      });
    }
    if (limiter && !limiter(request.headers.authorization ?? request.socket.remoteAddress ?? '')) {
      request.resume();
      return sendJson(response, 429, errorBody('rate_limited', 'rate_limited', 'Too many requests'), { 'retry-after': '1' });
    }
    const body = await readBody(request, maxReadBytes);
    if (body === 'too_large') {
      return sendJson(response, 413, errorBody('invalid_request', 'payload_too_large', 'The request body is larger than 64 KiB'));
    }
    const event = toEvent(request, url, method, found.binding.path, found.parameters, body);
    const result = await found.binding.handler(event);
    writeResult(response, result);
  }

  function findRoute(
    pathname: string,
    method: string,
  ):
    | { kind: 'route'; binding: HttpRouteBinding; parameters: Record<string, string> }
    | { kind: 'method'; allowed: string[] }
    | { kind: 'none' } {
    const allowed: string[] = [];
    // Literal segments win over parameters, as in API Gateway: most literal segments first.
    const candidates = matchers
      .map(({ binding, match }) => ({ binding, parameters: match(pathname), literals: literalCount(binding.path) }))
      .filter((candidate) => candidate.parameters !== undefined)
      .sort((a, b) => b.literals - a.literals);
    for (const candidate of candidates) {
      if (candidate.binding.method === method) return { kind: 'route', binding: candidate.binding, parameters: candidate.parameters! };
      allowed.push(candidate.binding.method);
    }
    return allowed.length > 0 ? { kind: 'method', allowed: [...new Set(allowed)] } : { kind: 'none' };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function compilePath(template: string): (pathname: string) => Record<string, string> | undefined {
  const segments = template.split('/');
  return (pathname) => {
    const parts = pathname.split('/');
    if (parts.length !== segments.length) return undefined;
    const parameters: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const part = parts[i]!;
      const name = /^\{(\w+)\}$/.exec(segment)?.[1];
      if (name) {
        if (part === '') return undefined;
        try {
          parameters[name] = decodeURIComponent(part);
        } catch {
          return undefined;
        }
      } else if (segment !== part) {
        return undefined;
      }
    }
    return parameters;
  };
}

const literalCount = (template: string) => template.split('/').filter((segment) => !segment.startsWith('{')).length;

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) tooLarge = true;
      else if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toEvent(request: IncomingMessage, url: URL, method: string, template: string, parameters: Record<string, string>, body: Buffer): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  let text: string | undefined;
  if (body.length > 0) {
    try {
      text = utf8.decode(body);
    } catch {
      text = undefined;
    }
  }
  const now = new Date();
  const routeKey = `${method} ${template}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(parameters).length > 0 ? { pathParameters: parameters } : {}),
    ...(body.length > 0 ? { body: text ?? body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && text === undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
}

function writeResult(response: ServerResponse, result: HttpResult): void {
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  const headers: Record<string, string | number | boolean> = { ...(result.headers ?? {}) };
  headers['content-length'] = body.length;
  response.writeHead(result.statusCode ?? 200, headers as Record<string, string>);
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  writeResult(response, { statusCode: status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) });
}

function errorBody(type: string, code: string, message: string) {
  return { error: { type, code, message } };
}

function tokenBuckets(limit: { requestsPerSecond: number; burst: number }): (client: string) => boolean {
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return (client) => {
    const nowMs = Date.now();
    const bucket = buckets.get(client) ?? { tokens: limit.burst, atMs: nowMs };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((nowMs - bucket.atMs) / 1000) * limit.requestsPerSecond);
    bucket.atMs = nowMs;
    buckets.set(client, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
}
