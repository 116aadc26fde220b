import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClnClient,
  ClnError,
  ClnPermissionDeniedError,
  ClnUnavailableError,
  PaymentOutcomeUnknownError,
  toClnError,
  UnsafeIntegerError,
} from '../../functions/lib/cln';
import { loadClnNodeService } from '../../cln-simulator';
import { clnClientFor, outsideInvoice } from './support/cln-client';
import { type ClnFixture, startClnFixture } from './support/cln-fixture';
import { foreignPki } from './support/foreign-pki';
import { startStubClnNode, type StubAnswer } from './support/stub-cln-node';

let fixture: ClnFixture;
let cln: ClnClient;
let clnDir: string;
const opened: ClnClient[] = [];

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

function client(options: Partial<ConstructorParameters<typeof ClnClient>[0]> = {}): ClnClient {
  const made = new ClnClient({
    host: fixture.sim.grpcAddress,
    caCert: readFileSync(fixture.sim.caCertPath),
    clientCert: readFileSync(fixture.sim.clientCertPath),
    clientKey: readFileSync(fixture.sim.clientKeyPath),
    unaryTimeoutMs: 2_000,
    ...options,
  });
  opened.push(made);
  return made;
}

async function withStub<T>(answers: Record<string, StubAnswer>, run: (stubbed: ClnClient) => Promise<T>): Promise<T> {
  const stub = await startStubClnNode(clnDir, answers);
  const stubbed = client({ host: stub.address });
  try {
    return await run(stubbed);
  } finally {
    stubbed.close();
    await stub.stop();
  }
}

beforeAll(async () => {
  fixture = await startClnFixture();
  clnDir = path.join(fixture.dataDir, 'cln');
  cln = clnClientFor(fixture);
});
afterAll(async () => {
  for (const made of opened) made.close();
  cln.close();
  await fixture.stop();
});

describe('mutual TLS', () => {
  it('connects with PEMs as Buffers or strings, checking the server against the name "cln"', async () => {
    const fromStrings = client({
      caCert: readFileSync(fixture.sim.caCertPath, 'utf8'),
      clientCert: readFileSync(fixture.sim.clientCertPath, 'utf8'),
      clientKey: readFileSync(fixture.sim.clientKeyPath, 'utf8'),
    });
    expect((await fromStrings.getinfo()).id).toBe(fixture.sim.pubkey);
    expect((await client({ tlsServerName: 'localhost' }).getinfo()).id).toBe(fixture.sim.pubkey);
  });

  it('reaches a node by IP address with a certificate like real cln-grpc’s, which names only "cln" and "localhost"', async () => {
    const stub = await startStubClnNode(clnDir, { Getinfo: { response: { id: Buffer.alloc(33, 3), network: 'regtest' } } }, { serverHosts: ['cln', 'localhost'] });
    try {
      expect(stub.address).toMatch(/^127\.0\.0\.1:/);
      expect((await client({ host: stub.address }).getinfo()).id).toBe('03'.repeat(33));
    } finally {
      await stub.stop();
    }
  });

  it('refuses a server whose certificate does not carry the expected name (ClnUnavailableError)', async () => {
    const error = await rejectionOf(client({ tlsServerName: 'not-the-node.example' }).getinfo());
    expect(error).toBeInstanceOf(ClnUnavailableError);
  });

  it('refuses a server that another CA signed for (the node is not the one we trust)', async () => {
    const error = await rejectionOf(client({ caCert: foreignPki().caPem }).getinfo());
    expect(error).toBeInstanceOf(ClnUnavailableError);
  });

  it('is refused by the node with a client certificate another CA signed', async () => {
    const foreign = foreignPki();
    const error = await rejectionOf(client({ clientCert: foreign.clientCertPem, clientKey: foreign.clientKeyPem }).getinfo());
    expect(error).toBeInstanceOf(ClnUnavailableError);
    expect(error.message).toBe('Core Lightning Getinfo got no answer (UNAVAILABLE)');
  });

  it('is refused by the node without a client certificate (as toClnError maps it), and will not build without one', async () => {
    const Node = loadClnNodeService();
    const anonymous = new Node(fixture.sim.grpcAddress, grpc.credentials.createSsl(readFileSync(fixture.sim.caCertPath)), {
      'grpc.ssl_target_name_override': 'cln',
    });
    const raw = await new Promise<unknown>((resolve) => {
      (anonymous as unknown as Record<string, (r: object, o: grpc.CallOptions, cb: (e: unknown) => void) => void>)
        .Getinfo!.call(anonymous, {}, { deadline: Date.now() + 2_000 }, resolve);
    });
    anonymous.close();
    expect(raw).toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(toClnError(raw, 'Getinfo')).toBeInstanceOf(ClnUnavailableError);
    expect(() => client({ clientCert: '', clientKey: '' })).toThrow(TypeError);
  });
});

describe('deadlines and an unreachable node', () => {
  it('a call past its deadline is ClnUnavailableError (DEADLINE_EXCEEDED)', async () => {
    const error = await rejectionOf(cln.waitAnyInvoice({ lastpayIndex: 1_000_000 }, { timeoutMs: 200 }));
    expect(error).toBeInstanceOf(ClnUnavailableError);
    expect((error as ClnError).grpcCode).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it('the unary deadline applies to every call by default', async () => {
    const stub = await startStubClnNode(clnDir, { Getinfo: 'never' });
    try {
      const slow = client({ host: stub.address, unaryTimeoutMs: 200 });
      const started = Date.now();
      const error = await rejectionOf(slow.getinfo());
      expect([error.name, (error as ClnError).grpcCode]).toEqual(['ClnUnavailableError', grpc.status.DEADLINE_EXCEEDED]);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      await stub.stop();
    }
  });

  it('nothing listening is ClnUnavailableError', async () => {
    const stub = await startStubClnNode(clnDir, {});
    await stub.stop();
    const error = await rejectionOf(client({ host: stub.address }).getinfo());
    expect(error).toBeInstanceOf(ClnUnavailableError);
  });
});

describe('statuses cln-grpc sends', () => {
  it('UNAVAILABLE, whatever its details, is ClnUnavailableError', async () => {
    await withStub({ Getinfo: { error: { code: grpc.status.UNAVAILABLE, details: 'lightningd is shutting down' } } }, async (stubbed) => {
      expect(await rejectionOf(stubbed.getinfo())).toBeInstanceOf(ClnUnavailableError);
    });
  });

  it('PERMISSION_DENIED is ClnPermissionDeniedError', async () => {
    await withStub({ Getinfo: { error: { code: grpc.status.PERMISSION_DENIED, details: 'not allowed' } } }, async (stubbed) => {
      expect(await rejectionOf(stubbed.getinfo())).toBeInstanceOf(ClnPermissionDeniedError);
    });
  });

  it('an Xpay failure without a code it knows leaves the outcome unknown, never failed', async () => {
    const unknownCode = 'Error calling method Xpay: RpcError { code: Some(-3), message: "plugin crashed", data: None }';
    await withStub(
      {
        Xpay: { error: { code: grpc.status.UNKNOWN, details: unknownCode } },
        Getinfo: { error: { code: grpc.status.UNKNOWN, details: unknownCode.replace('Xpay', 'Getinfo') } },
      },
      async (stubbed) => {
        const error = await rejectionOf(stubbed.xpay({ invstring: 'lnbcrt10n1stub' }));
        expect(error).toBeInstanceOf(PaymentOutcomeUnknownError);
        expect(error).toMatchObject({ rpcCode: -3 });
        expect(error.message).not.toContain('plugin crashed');
        const other = await rejectionOf(stubbed.getinfo());
        expect([other.constructor, (other as ClnError).rpcCode]).toEqual([ClnError, -3]);
      },
    );
  });
});

describe('amounts beyond 2^53 msat', () => {
  it('are refused in a request before anything is sent', async () => {
    const label = 'too-big';
    expect(await rejectionOf(cln.invoice({ label, amountMsat: 2 ** 53, description: '' }))).toBeInstanceOf(UnsafeIntegerError);
    expect(await cln.listInvoices({ label })).toEqual([]);
    const invoice = await outsideInvoice(fixture, {});
    expect(await rejectionOf(cln.xpay({ invstring: invoice.bolt11, amountMsat: 2 ** 53 + 2 }))).toBeInstanceOf(UnsafeIntegerError);
    expect(await rejectionOf(cln.xpay({ invstring: invoice.bolt11, amountMsat: 1_000, maxfeeMsat: 1e300 }))).toBeInstanceOf(UnsafeIntegerError);
    expect(await rejectionOf(cln.invoice({ label, amountMsat: -1, description: '' }))).toBeInstanceOf(RangeError);
    expect((await fixture.control<{ attempts: number }>('GET', `/payments/${invoice.paymentHash}`)).body.attempts).toBe(0);
  });

  it('are refused in an answer rather than rounded; 2^53 - 1 still passes', async () => {
    const channel = { peer_id: Buffer.alloc(33, 2), funding_txid: Buffer.alloc(32), channel_id: Buffer.alloc(32), state: 'ChanneldNormal', connected: true };
    await withStub(
      {
        Getinfo: { response: { id: Buffer.alloc(33, 3), network: 'regtest', fees_collected_msat: { msat: '9007199254740993' } } },
        ListFunds: {
          response: { outputs: [], channels: [{ ...channel, our_amount_msat: { msat: '9007199254740991' }, amount_msat: { msat: '9007199254740991' } }] },
        },
        ListPays: { response: { pays: [{ payment_hash: Buffer.alloc(32), status: 'COMPLETE', created_at: '1', amount_msat: { msat: '18446744073709551615' } }] } },
      },
      async (stubbed) => {
        const error = await rejectionOf(stubbed.getinfo());
        expect(error).toBeInstanceOf(UnsafeIntegerError);
        expect((error as UnsafeIntegerError).field).toBe('fees_collected_msat');
        expect(await rejectionOf(stubbed.listPays())).toBeInstanceOf(UnsafeIntegerError);
        expect((await stubbed.listFunds()).channels[0]?.ourAmountMsat).toBe(Number.MAX_SAFE_INTEGER);
      },
    );
  });
});
