import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { encodeSignedInvoice } from '../../../lnd-simulator/bolt11-codec';
import { loadOrCreateNodeKey } from '../../../lnd-simulator/node-key';
import { ClnClient, type ClnClientOptions } from '../../../functions/lib/cln';
import type { ClnFixture } from './cln-fixture';

/** A ClnClient on the simulator's ca.pem, client.pem and client-key.pem; the caller closes it. */
export function clnClientFor(fixture: ClnFixture, options: Partial<ClnClientOptions> = {}): ClnClient {
  return ClnClient.fromFiles({
    host: fixture.sim.grpcAddress,
    caCertPath: fixture.sim.caCertPath,
    clientCertPath: fixture.sim.clientCertPath,
    clientKeyPath: fixture.sim.clientKeyPath,
    ...options,
  });
}

/** An invoice of the outside network whose payment ends as `outcome` (control API POST /invoices). */
export async function outsideInvoice(
  fixture: ClnFixture,
  body: { amount_msat?: number; outcome?: string; fee_msat?: number; expiry_seconds?: number } = {},
): Promise<{ bolt11: string; paymentHash: string }> {
  const { body: created } = await fixture.control<{ bolt11: string; payment_hash: string }>('POST', '/invoices', body);
  return { bolt11: created.bolt11, paymentHash: created.payment_hash };
}

/**
 * A BOLT11 signed by the simulated peer that its outside network never issued (the
 * destination fails the HTLC), dated `ageSec` ago with `expirySec` to live.
 */
export function unknownPeerInvoice(fixture: ClnFixture, options: { ageSec?: number; expirySec?: number } = {}): { bolt11: string; paymentHash: string } {
  const peerKey = loadOrCreateNodeKey(path.join(fixture.dataDir, 'cln', 'peer.key'));
  const paymentHash = randomBytes(32).toString('hex');
  const bolt11 = encodeSignedInvoice(
    {
      paymentHash,
      paymentSecret: randomBytes(32).toString('hex'),
      amountMsat: 1_000,
      description: '',
      expirySec: options.expirySec ?? 600,
      cltvExpiry: 40,
      timestampSec: Math.floor(Date.now() / 1000) - (options.ageSec ?? 0),
    },
    peerKey.privateKey,
  );
  return { bolt11, paymentHash };
}
