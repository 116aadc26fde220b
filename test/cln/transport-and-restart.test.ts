import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../lnd/support/streams';
import { type ClnFixture, type ClnTestClient, clnErrorCode, hex, rejection, startClnFixture } from './support/cln-fixture';
import { foreignPki } from './support/foreign-pki';

let fixture: ClnFixture;
let client: ClnTestClient;

beforeAll(async () => {
  fixture = await startClnFixture();
  client = fixture.client();
});
afterAll(() => fixture.stop());

/** A client certificate that looks right but is signed by a CA of its own. */
function strangerCredentials(): grpc.ChannelCredentials {
  const { clientCertPem, clientKeyPem } = foreignPki();
  return grpc.credentials.createSsl(readFileSync(fixture.sim.caCertPath), Buffer.from(clientKeyPem), Buffer.from(clientCertPem));
}

describe('mutual TLS', () => {
  it('writes ca.pem, client.pem and client-key.pem (and the server pair) under <dataDir>/cln/', () => {
    const clnDir = path.join(fixture.dataDir, 'cln');
    for (const file of ['ca.pem', 'client.pem', 'client-key.pem', 'server.pem', 'server-key.pem']) {
      expect(existsSync(path.join(clnDir, file))).toBe(true);
    }
    const ca = new X509Certificate(readFileSync(path.join(clnDir, 'ca.pem')));
    const server = new X509Certificate(readFileSync(path.join(clnDir, 'server.pem')));
    const clientCert = new X509Certificate(readFileSync(path.join(clnDir, 'client.pem')));
    expect(ca.ca).toBe(true);
    expect([server.verify(ca.publicKey), clientCert.verify(ca.publicKey)]).toEqual([true, true]);
    expect([server.checkHost('localhost'), server.checkIP('127.0.0.1')]).toEqual(['localhost', '127.0.0.1']);
    expect(server.ca).toBe(false);
  });

  it('answers a client with the CA-signed certificate', async () => {
    const info = await client.call<{ id: Buffer; network: string; blockheight: number }>('Getinfo', {});
    expect([hex(info.id), info.network, info.blockheight]).toEqual([fixture.sim.pubkey, 'regtest', 1000]);
  });

  it('refuses a client without a certificate', async () => {
    const anonymous = fixture.client(grpc.credentials.createSsl(readFileSync(fixture.sim.caCertPath)));
    const error = await rejection(anonymous.call('Getinfo', {}, { deadlineMs: 2_000 }));
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const stranger = fixture.client(strangerCredentials());
    const error = await rejection(stranger.call('Getinfo', {}, { deadlineMs: 2_000 }));
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
  });
});

describe('ListFunds', () => {
  it('shows the on-chain output and the channel to the peer with our side of it', async () => {
    const funds = await client.call<{
      outputs: { status: string; amount_msat: { msat: string } }[];
      channels: { peer_id: Buffer; state: string; our_amount_msat: { msat: string }; amount_msat: { msat: string }; connected: boolean }[];
    }>('ListFunds', {});
    expect(funds.outputs.map((output) => [output.status, output.amount_msat.msat])).toEqual([['CONFIRMED', '50000000000']]);
    const [channel] = funds.channels;
    expect([hex(channel?.peer_id), channel?.state, channel?.connected]).toEqual([fixture.sim.peerPubkey, 'ChanneldNormal', true]);
    expect(Number(channel?.our_amount_msat.msat)).toBeLessThan(Number(channel?.amount_msat.msat));
  });
});

describe('the hold_sends fault', () => {
  it('keeps an Xpay from starting until released, then it completes', async () => {
    const invoice = (await fixture.control<{ bolt11: string; payment_hash: string }>('POST', '/invoices', { amount_msat: 1_000 })).body;
    expect((await fixture.control('POST', '/faults', { hold_sends: true })).body).toEqual({ dropped_streams: 0, held_sends: 0 });
    const paying = client.call<{ payment_preimage: Buffer }>('Xpay', { invstring: invoice.bolt11 });
    await waitFor(() => fixture.sim.heldSendCount() === 1);
    expect((await client.call<{ pays: unknown[] }>('ListPays', { bolt11: invoice.bolt11 })).pays).toEqual([]);
    expect((await fixture.control('POST', '/faults', { hold_sends: false })).body).toEqual({ dropped_streams: 0, started_sends: 1 });
    expect((await paying).payment_preimage.length).toBe(32);
  });
});

describe('a restart', () => {
  it('keeps identity, certificates, invoices, indexes and a pending payment', async () => {
    const created = await client.call<{ bolt11: string; payment_hash: Buffer }>('Invoice', {
      label: 'before-restart',
      description: '',
      amount_msat: { amount: { msat: 2_000 } },
    });
    await fixture.control('POST', '/pay', { bolt11: created.bolt11 });
    const hanging = (await fixture.control<{ bolt11: string; payment_hash: string }>('POST', '/invoices', { amount_msat: 700, outcome: 'hang' })).body;
    expect((await rejection(client.call('Xpay', { invstring: hanging.bolt11 }, { deadlineMs: 300 }))).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    const caBefore = readFileSync(fixture.sim.caCertPath, 'utf8');
    const pubkeyBefore = fixture.sim.pubkey;

    await fixture.restart();
    expect(readFileSync(fixture.sim.caCertPath, 'utf8')).toBe(caBefore);
    expect(fixture.sim.pubkey).toBe(pubkeyBefore);
    const after = fixture.client();
    const paid = await after.call<{ label: string; status: string; pay_index: string }>('WaitAnyInvoice', { lastpay_index: 0 });
    expect([paid.label, paid.status, paid.pay_index]).toEqual(['before-restart', 'PAID', '1']);
    expect(clnErrorCode(await rejection(after.call('Invoice', { label: 'before-restart', description: '', amount_msat: { any: true } })))).toBe(900);
    const pays = await after.call<{ pays: { status: string }[] }>('ListPays', { payment_hash: Buffer.from(hanging.payment_hash, 'hex') });
    expect(pays.pays.map((pay) => pay.status)).toEqual(['PENDING']);
    await fixture.control('POST', `/payments/${hanging.payment_hash}/resolve`, { outcome: 'succeed' });
    const resolved = await after.call<{ pays: { status: string }[] }>('ListPays', { payment_hash: Buffer.from(hanging.payment_hash, 'hex') });
    expect(resolved.pays.map((pay) => pay.status)).toEqual(['COMPLETE']);
  });
});
