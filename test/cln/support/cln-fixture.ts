import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type ClnSimulator, type ClnSimulatorOptions, loadClnNodeService, startClnSimulator } from '../../../cln-simulator';

/** A plain grpc-js client of cln.Node: `call('Invoice', {...})` resolves with the response message. */
export interface ClnTestClient {
  call<T = Record<string, unknown>>(method: string, request: object, options?: { deadlineMs?: number }): Promise<T>;
  close(): void;
}

export interface ClnFixture {
  sim: ClnSimulator;
  dataDir: string;
  /** A client with the simulator's CA and client certificate (mutual TLS); closed by stop(). */
  client(credentials?: grpc.ChannelCredentials): ClnTestClient;
  mtlsCredentials(): grpc.ChannelCredentials;
  /** Calls the HTTP control API. */
  control<T = Record<string, unknown>>(method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Stops the simulator, keeping its data dir, and starts it again on it. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_DEADLINE_MS = 5_000;

export async function startClnFixture(options: Partial<ClnSimulatorOptions> = {}): Promise<ClnFixture> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'clnsim-test-')));
  const start = () => startClnSimulator({ grpcPort: 0, controlPort: 0, ...options, dataDir });
  const Node = loadClnNodeService();
  const clients: grpc.Client[] = [];
  const fixture: ClnFixture = {
    sim: await start(),
    dataDir,
    mtlsCredentials: () =>
      grpc.credentials.createSsl(
        readFileSync(fixture.sim.caCertPath),
        readFileSync(fixture.sim.clientKeyPath),
        readFileSync(fixture.sim.clientCertPath),
      ),
    client(credentials) {
      const client = new Node(fixture.sim.grpcAddress, credentials ?? fixture.mtlsCredentials());
      clients.push(client);
      const methods = client as unknown as Record<
        string,
        (request: object, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void
      >;
      return {
        call: <T>(method: string, request: object, callOptions: { deadlineMs?: number } = {}) =>
          new Promise<T>((resolve, reject) => {
            const invoke = methods[method];
            if (!invoke) throw new Error(`cln.Node has no method ${method}`);
            invoke.call(client, request, { deadline: Date.now() + (callOptions.deadlineMs ?? DEFAULT_DEADLINE_MS) }, (error, response) =>
              error ? reject(error) : resolve(response as T),
            );
          }),
        close: () => client.close(),
      };
    },
    async control<T>(method: 'GET' | 'POST', urlPath: string, body?: unknown) {
      const response = await fetch(`http://${fixture.sim.host}:${fixture.sim.controlPort}${urlPath}`, {
        method,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    async restart() {
      await fixture.sim.stop();
      fixture.sim = await start();
    },
    async stop() {
      for (const client of clients.splice(0)) client.close();
      await fixture.sim.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** The JSON-RPC code inside cln-grpc's error details ("RpcError { code: Some(900), ..."). */
export function clnErrorCode(error: unknown): number | null {
  const details = (error as grpc.ServiceError).details ?? '';
  const match = /RpcError \{ code: Some\((-?\d+)\)/.exec(details);
  return match ? Number(match[1]) : null;
}

/** Awaits a rejected call and returns its gRPC error. */
export async function rejection(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error('the call succeeded');
}

export const hex = (bytes: Buffer | undefined): string => (bytes ?? Buffer.alloc(0)).toString('hex');

