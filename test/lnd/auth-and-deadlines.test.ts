import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LndClient, NodeUnavailableError, PermissionDeniedError } from '../../functions/lib/lnd';
import { loadLndServices } from '../../functions/lib/lnd/proto-loader';
import { createSelfSignedCertificate } from '../../lnd-simulator/tls/self-signed-certificate';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';
import { collectAll } from './support/streams';

const someHash = () => randomBytes(32).toString('hex');

describe('macaroons', () => {
  let fixture: SimulatorFixture;

  beforeAll(async () => {
    fixture = await startSimulatorFixture();
  });
  afterAll(() => fixture.stop());

  it('refuses a macaroon the node did not issue', async () => {
    const client = new LndClient({
      host: fixture.sim.grpcAddress,
      tlsCert: readFileSync(fixture.sim.tlsCertPath),
      macaroon: randomBytes(48),
    });
    try {
      await expect(client.getInfo()).rejects.toBeInstanceOf(PermissionDeniedError);
      await expect(client.getInfo()).rejects.toThrow('verification failed');
    } finally {
      client.close();
    }
  });

  it('refuses a call without exactly one macaroon', async () => {
    const { Lightning } = loadLndServices();
    const raw = new Lightning(fixture.sim.grpcAddress, grpc.credentials.createSsl(readFileSync(fixture.sim.tlsCertPath)), {
      'grpc.ssl_target_name_override': 'localhost',
    });
    try {
      const error = await new Promise<grpc.ServiceError>((resolve) => {
        (raw as unknown as { GetInfo: (req: object, cb: (e: grpc.ServiceError) => void) => void }).GetInfo({}, resolve);
      });
      expect(error.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(error.details).toBe('expected 1 macaroon, got 0');
    } finally {
      raw.close();
    }
  });

  it('refuses every payment and balance RPC to the invoice macaroon', async () => {
    const invoiceRole = fixture.client('invoice');
    const outside = fixture.sim.createOutsideInvoice({ amountMsat: 1_000 });

    const attempts: Promise<unknown>[] = [
      collectAll(invoiceRole.sendPayment({ paymentRequest: outside.bolt11, feeLimitMsat: 0, timeoutSec: 10 })),
      collectAll(invoiceRole.trackPayment(outside.paymentHash)),
      invoiceRole.channelBalance(),
      invoiceRole.listChannels(),
      invoiceRole.walletBalance(),
      invoiceRole.decodePaymentRequest(outside.bolt11),
    ];

    for (const attempt of attempts) {
      await expect(attempt).rejects.toBeInstanceOf(PermissionDeniedError);
      await expect(attempt).rejects.toThrow('permission denied');
    }
    expect(fixture.sim.paymentAttempts(outside.paymentHash).attempts).toBe(0);
  });

  it('refuses invoice writes to the payment macaroon, but lets it read and subscribe', async () => {
    const paymentRole = fixture.client('payment');
    const added = await fixture.client('invoice').addInvoice({ valueMsat: 1_000 });

    await expect(paymentRole.addInvoice({ valueMsat: 1_000 })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(paymentRole.cancelInvoice(added.paymentHash)).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(paymentRole.lookupInvoice(added.paymentHash)).resolves.toMatchObject({ addIndex: added.addIndex });
    await expect(paymentRole.channelBalance()).resolves.toMatchObject({ localMsat: expect.any(Number) });
  });
});

describe('deadlines and unreachable nodes', () => {
  let silentServer: Server;
  let silentPort: number;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    silentServer = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
    silentPort = (silentServer.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silentServer.close(resolve));
  });

  const anyCert = () => createSelfSignedCertificate({ commonName: 'x', hosts: ['localhost'], validForMs: 3_600_000 }).certPem;

  it('gives up on a node that never answers at the unary deadline', async () => {
    const client = new LndClient({ host: `127.0.0.1:${silentPort}`, tlsCert: anyCert(), macaroon: 'ab', unaryTimeoutMs: 300 });
    const startedMs = Date.now();
    try {
      const error = await client.getInfo().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(NodeUnavailableError);
      expect((error as NodeUnavailableError).grpcCode).toBe(grpc.status.DEADLINE_EXCEEDED);
      expect(Date.now() - startedMs).toBeLessThan(2_000);
    } finally {
      client.close();
    }
  });

  it('honours a per-call deadline', async () => {
    const client = new LndClient({ host: `127.0.0.1:${silentPort}`, tlsCert: anyCert(), macaroon: 'ab' });
    try {
      await expect(client.lookupInvoice(someHash(), { timeoutMs: 50 })).rejects.toBeInstanceOf(NodeUnavailableError);
    } finally {
      client.close();
    }
  });

  it('maps a refused connection to NodeUnavailableError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const client = new LndClient({ host: `127.0.0.1:${port}`, tlsCert: anyCert(), macaroon: 'ab' });
    try {
      await expect(client.getInfo()).rejects.toBeInstanceOf(NodeUnavailableError);
    } finally {
      client.close();
    }
  });

  it('does not trust a node whose certificate is not the pinned one', async () => {
    const fixture = await startSimulatorFixture();
    const client = new LndClient({ host: fixture.sim.grpcAddress, tlsCert: anyCert(), macaroon: readFileSync(fixture.sim.adminMacaroonPath) });
    try {
      await expect(client.getInfo()).rejects.toBeInstanceOf(NodeUnavailableError);
    } finally {
      client.close();
      await fixture.stop();
    }
  });
});
