import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSecureServer, type Http2SecureServer, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GrpcCallError } from '../../functions/lib/grpc-unary/grpc-call-error';
import { GrpcStatus } from '../../functions/lib/grpc-unary/grpc-status';
import { GrpcUnaryClient } from '../../functions/lib/grpc-unary/unary-client';
import { loadOrCreateTlsFiles } from '../../lnd-simulator/tls/tls-files';

/** How the test server answers the next call. */
type Answer = (stream: ServerHttp2Stream, request: Buffer) => void;

function framed(message: Buffer, compressed = 0): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt8(compressed, 0);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

const ok: Answer = (stream, request) => {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(framed(request.subarray(5)));
};

describe('GrpcUnaryClient on node:http2', () => {
  let dir: string;
  let server: Http2SecureServer;
  let host: string;
  let ca: Buffer;
  let answer: Answer;
  let received: IncomingHttpHeaders[];
  const sessions: Http2Session[] = [];
  const clients: GrpcUnaryClient[] = [];
  const client = (timeoutMs = 2_000) => {
    const made = new GrpcUnaryClient({ host, ca, serverName: 'localhost', defaultTimeoutMs: timeoutMs });
    clients.push(made);
    return made;
  };
  const echo = (c: GrpcUnaryClient, message = 'hi', metadata?: Record<string, string>) =>
    c.call('/test.Echo/Say', Buffer.from(message), (bytes) => bytes.toString(), metadata ? { metadata } : {});

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'grpc-unary-'));
    const tls = loadOrCreateTlsFiles(dir);
    ca = readFileSync(tls.certPath);
    server = createSecureServer({ cert: ca, key: readFileSync(path.join(dir, 'tls.key')) });
    server.on('session', (session) => sessions.push(session));
    server.on('stream', (stream, headers) => {
      received.push(headers);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => answer(stream, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  beforeEach(() => {
    answer = ok;
    received = [];
  });
  afterAll(async () => {
    for (const made of clients) made.close();
    for (const session of sessions) session.destroy();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a gRPC POST (content-type, te, grpc-timeout, metadata, framed message) and reuses one session', async () => {
    const c = client();
    const before = sessions.length;
    expect(await echo(c, 'hello', { macaroon: 'abcd' })).toBe('hello');
    expect(await echo(c, 'again')).toBe('again');
    expect(sessions.length - before).toBe(1);
    expect(received[0]).toMatchObject({ ':method': 'POST', ':path': '/test.Echo/Say', 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '2000m', macaroon: 'abcd' });
  });

  it('opens a new session after the server sent GOAWAY, and the call in flight still completes', async () => {
    const c = client();
    await echo(c);
    const before = sessions.length;
    // GOAWAY goes out before this call's answer, so the client has it when the call resolves.
    answer = (stream, request) => {
      stream.session?.goaway(0, stream.id);
      ok(stream, request);
    };
    expect(await echo(c, 'last on the old session')).toBe('last on the old session');
    answer = ok;
    expect(await echo(c, 'after')).toBe('after');
    expect(sessions.length).toBe(before + 1);
  });

  it('reads the status of a trailers-only answer, percent-decoded', async () => {
    answer = (stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'unable%20to%20locate%20invoice' }, { endStream: true });
    const error = await echo(client()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrpcCallError);
    expect(error).toMatchObject({ code: GrpcStatus.NOT_FOUND, details: 'unable to locate invoice' });
  });

  it('reads the status from trailers after the headers', async () => {
    answer = (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '7', 'grpc-message': 'permission denied' }));
      stream.end();
    };
    await expect(echo(client())).rejects.toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, details: 'permission denied' });
  });

  it('maps a non-200 HTTP answer, and refuses a compressed message or an answer without a status', async () => {
    answer = (stream) => stream.respond({ ':status': 503 }, { endStream: true });
    await expect(echo(client())).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    answer = (stream, request) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(framed(request.subarray(5), 1));
    };
    await expect(echo(client())).rejects.toMatchObject({ code: GrpcStatus.INTERNAL });
    answer = (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.end();
    };
    await expect(echo(client())).rejects.toMatchObject({ code: GrpcStatus.UNKNOWN });
  });

  it('gives up at its deadline (DEADLINE_EXCEEDED) on a server that never answers, and cancels the stream', async () => {
    let serverStream: ServerHttp2Stream | undefined;
    answer = (stream) => {
      serverStream = stream;
    };
    await expect(echo(client(200))).rejects.toMatchObject({ code: GrpcStatus.DEADLINE_EXCEEDED });
    expect(received.at(-1)?.['grpc-timeout']).toBe('200m');
    await expect.poll(() => serverStream?.closed).toBe(true);
  });

  it('fails with UNAVAILABLE once closed, and for a server whose certificate is not the trusted one', async () => {
    const c = client();
    c.close();
    await expect(echo(c)).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
    const other = loadOrCreateTlsFiles(mkdtempSync(path.join(dir, 'other-')));
    const stranger = new GrpcUnaryClient({ host, ca: readFileSync(other.certPath), serverName: 'localhost', defaultTimeoutMs: 2_000 });
    clients.push(stranger);
    await expect(echo(stranger)).rejects.toMatchObject({ code: GrpcStatus.UNAVAILABLE });
  });
});
