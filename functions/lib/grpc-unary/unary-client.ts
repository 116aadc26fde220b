import { type ClientHttp2Session, type ClientHttp2Stream, connect, constants, type IncomingHttpHeaders } from 'node:http2';
import { frameMessage, unframeMessages } from './framing';
import { GrpcCallError } from './grpc-call-error';
import { GrpcStatus } from './grpc-status';
import { decodeGrpcMessage, grpcTimeoutHeader, statusFromHttp, statusFromResetCode } from './status-mapping';

/** Our answers are small; this bounds what a confused server can make us buffer. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface GrpcUnaryClientOptions {
  /** host:port of the server. */
  host: string;
  /** The only CA trusted for the server's certificate (PEM). */
  ca: Buffer;
  /** A client certificate and key for mutual TLS (PEM). */
  cert?: Buffer;
  key?: Buffer;
  /** The name the server's certificate must carry (and the SNI); default the host's name. */
  serverName?: string;
  /** Deadline of a call that names none. */
  defaultTimeoutMs: number;
}

export interface UnaryCallOptions {
  /** Custom metadata, sent as headers (e.g. LND's `macaroon`). */
  metadata?: Readonly<Record<string, string>>;
  timeoutMs?: number;
}

/**
 * A gRPC client for unary calls only, on node:http2: one HTTP/2 session over TLS, opened on
 * first use, shared by every call and opened again after the server closed it or sent
 * GOAWAY. No keepalive pings: it serves short-lived functions. Failures are GrpcCallError
 * with the status codes grpc-js would give.
 */
export class GrpcUnaryClient {
  private session: ClientHttp2Session | undefined;
  /** Why the current session failed, to explain the calls it takes down. */
  private sessionError: Error | undefined;
  private activeCalls = 0;
  private closed = false;

  constructor(private readonly options: GrpcUnaryClientOptions) {}

  /** Calls `path` (`/package.Service/Method`) with an encoded request; resolves with the decoded answer. */
  call<T>(path: string, request: Uint8Array, decode: (message: Buffer) => T, options: UnaryCallOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new GrpcCallError(GrpcStatus.UNAVAILABLE, 'the client is closed', path));
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      let session: ClientHttp2Session;
      let stream: ClientHttp2Stream;
      try {
        // Bad TLS material throws here, a session that is going away at request().
        session = this.currentSession();
        stream = session.request({
          ':method': 'POST',
          ':path': path,
          'content-type': 'application/grpc',
          te: 'trailers',
          'grpc-timeout': grpcTimeoutHeader(timeoutMs),
          ...options.metadata,
        });
      } catch (error) {
        reject(new GrpcCallError(GrpcStatus.UNAVAILABLE, describe(this.sessionError ?? error), path, { cause: error }));
        return;
      }
      this.startCall(session);
      let headers: IncomingHttpHeaders | undefined;
      let trailers: IncomingHttpHeaders | undefined;
      const chunks: Buffer[] = [];
      let received = 0;
      let settled = false;

      const finish = (outcome: { error: GrpcCallError } | { value: T }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.endCall(session);
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.value);
      };
      const fail = (code: number, details: string, cause?: unknown): void => {
        finish({ error: new GrpcCallError(code, details, path, cause === undefined ? undefined : { cause }) });
        if (!stream.closed) stream.close(constants.NGHTTP2_CANCEL);
      };

      const timer = setTimeout(() => fail(GrpcStatus.DEADLINE_EXCEEDED, 'Deadline exceeded'), timeoutMs);
      stream.on('response', (responseHeaders) => {
        headers = responseHeaders;
      });
      stream.on('trailers', (responseTrailers) => {
        trailers = responseTrailers;
      });
      stream.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) fail(GrpcStatus.RESOURCE_EXHAUSTED, `response larger than ${MAX_RESPONSE_BYTES} bytes`);
        else chunks.push(chunk);
      });
      stream.on('error', (error) => {
        // Before any answer the connection is what failed (refused, TLS, reset): the node is out of reach.
        if (headers === undefined) fail(GrpcStatus.UNAVAILABLE, describe(this.sessionError ?? error), error);
        else fail(statusFromResetCode(stream.rstCode ?? constants.NGHTTP2_INTERNAL_ERROR), describe(error), error);
      });
      stream.on('close', () => {
        if (settled) return;
        finish(outcomeOf(path, headers, trailers, Buffer.concat(chunks), stream.rstCode, decode, this.sessionError));
      });
      stream.end(frameMessage(request));
    });
  }

  /** Closes the session; calls in flight finish, later ones fail. */
  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private currentSession(): ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const { host, ca, cert, key, serverName } = this.options;
    const session = connect(`https://${host}`, {
      ca,
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(serverName ? { servername: serverName } : {}),
    });
    this.sessionError = undefined;
    const forget = (): void => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', (error: Error) => {
      if (this.session === session) this.sessionError = error;
      forget();
    });
    // After GOAWAY the server takes no new streams on this session: the next call opens another,
    // and this one closes once its calls in flight are done.
    session.on('goaway', () => {
      forget();
      session.close();
    });
    session.on('close', forget);
    session.unref();
    this.session = session;
    return session;
  }

  // An idle session must not keep the process alive; one with a call in flight must.
  private startCall(session: ClientHttp2Session): void {
    if (this.activeCalls++ === 0) session.ref();
  }

  private endCall(session: ClientHttp2Session): void {
    if (--this.activeCalls === 0 && !session.destroyed) session.unref();
  }
}

function outcomeOf<T>(
  path: string,
  headers: IncomingHttpHeaders | undefined,
  trailers: IncomingHttpHeaders | undefined,
  body: Buffer,
  rstCode: number | undefined,
  decode: (message: Buffer) => T,
  sessionError: Error | undefined,
): { error: GrpcCallError } | { value: T } {
  const error = (code: number, details: string, cause?: unknown) => ({
    error: new GrpcCallError(code, details, path, cause === undefined ? undefined : { cause }),
  });
  if (headers === undefined) {
    if (sessionError) return error(GrpcStatus.UNAVAILABLE, describe(sessionError), sessionError);
    // Closed before any answer: the connection went (node cancels the streams of a session a TLS
    // alert ended after the handshake), unless the server reset the stream for a reason of its own.
    const serverReason = rstCode === constants.NGHTTP2_ENHANCE_YOUR_CALM || rstCode === constants.NGHTTP2_INADEQUATE_SECURITY;
    const code = serverReason ? statusFromResetCode(rstCode) : GrpcStatus.UNAVAILABLE;
    return error(code, `stream closed before an answer (RST_STREAM ${rstCode ?? 'none'})`);
  }
  const httpStatus = Number(headers[':status']);
  if (httpStatus !== 200) return error(statusFromHttp(httpStatus), `Received HTTP status code ${httpStatus}`);
  // A trailers-only answer carries its status in the headers.
  const statusSource = trailers ?? headers;
  const rawStatus = statusSource['grpc-status'];
  if (rawStatus === undefined) {
    return error(rstCode ? statusFromResetCode(rstCode) : GrpcStatus.UNKNOWN, 'the answer ended without a grpc-status');
  }
  const code = Number(rawStatus);
  if (code !== GrpcStatus.OK) return error(Number.isInteger(code) ? code : GrpcStatus.UNKNOWN, decodeGrpcMessage(statusSource['grpc-message']));
  try {
    const messages = unframeMessages(body);
    if (messages.length !== 1) return error(GrpcStatus.INTERNAL, `a unary answer with ${messages.length} messages`);
    return { value: decode(messages[0]!) };
  } catch (cause) {
    return error(GrpcStatus.INTERNAL, `Response message parsing error: ${describe(cause)}`, cause);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
