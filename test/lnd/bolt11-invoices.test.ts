import { createHash, createPublicKey, ECDH, verify } from 'node:crypto';
import bolt11 from 'bolt11';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LndClient } from '../../functions/lib/lnd';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const SIGNATURE_WORDS = 104;
const CHECKSUM_WORDS = 6;

function wordsToBytes(words: number[]): Buffer {
  const bytes: number[] = [];
  let accumulator = 0;
  let bits = 0;
  for (const word of words) {
    accumulator = (accumulator << 5) | word;
    bits += 5;
    while (bits >= 8) {
      bits -= 8;
      bytes.push((accumulator >> bits) & 0xff);
    }
  }
  if (bits > 0) bytes.push((accumulator << (8 - bits)) & 0xff);
  return Buffer.from(bytes);
}

/** BOLT11's rule, checked without the bolt11 package: sha256(hrp || data) signed by the payee. */
function verifyBolt11Signature(paymentRequest: string, pubkeyHex: string): boolean {
  const separator = paymentRequest.lastIndexOf('1');
  const hrp = paymentRequest.slice(0, separator);
  const words = [...paymentRequest.slice(separator + 1, -CHECKSUM_WORDS)].map((c) => BECH32_CHARSET.indexOf(c));
  const signedData = Buffer.concat([Buffer.from(hrp, 'utf8'), wordsToBytes(words.slice(0, -SIGNATURE_WORDS))]);
  const signature = wordsToBytes(words.slice(-SIGNATURE_WORDS)).subarray(0, 64);
  const uncompressed = ECDH.convertKey(pubkeyHex, 'secp256k1', 'hex', undefined, 'uncompressed') as Buffer;
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'secp256k1',
      x: uncompressed.subarray(1, 33).toString('base64url'),
      y: uncompressed.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
  return verify('sha256', signedData, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

describe('BOLT11 invoices issued by the simulator', () => {
  let fixture: SimulatorFixture;
  let lnd: LndClient;

  beforeAll(async () => {
    fixture = await startSimulatorFixture();
    lnd = fixture.client('invoice');
  });
  afterAll(() => fixture.stop());

  it('decode with the bolt11 package: regtest, our node as payee, amount, hash, secret, expiry', async () => {
    const added = await lnd.addInvoice({ valueMsat: 150_001, memo: 'Order 42', expirySec: 900 });

    const decoded = bolt11.decode(added.paymentRequest);

    expect(added.paymentRequest.startsWith('lnbcrt')).toBe(true);
    expect(decoded.network?.bech32).toBe('bcrt');
    expect(decoded.payeeNodeKey).toBe(fixture.sim.pubkey);
    expect(decoded.millisatoshis).toBe('150001');
    expect(decoded.tagsObject.payment_hash).toBe(added.paymentHash);
    expect(decoded.tagsObject.payment_secret).toBe(added.paymentAddr);
    expect(decoded.tagsObject.description).toBe('Order 42');
    expect(decoded.tagsObject.expire_time).toBe(900);
    expect(decoded.tagsObject.feature_bits?.payment_secret?.required).toBe(true);
  });

  it('carries a signature that node:crypto verifies against the node pubkey', async () => {
    const added = await lnd.addInvoice({ valueMsat: 1_000 });

    expect(verifyBolt11Signature(added.paymentRequest, fixture.sim.pubkey)).toBe(true);
    expect(verifyBolt11Signature(added.paymentRequest, fixture.sim.peerPubkey)).toBe(false);
  });

  it('use a description hash instead of a description when asked', async () => {
    const descriptionHash = createHash('sha256').update('{"terms":"long"}').digest('hex');
    const added = await lnd.addInvoice({ valueMsat: 1_000, descriptionHash });

    const decoded = bolt11.decode(added.paymentRequest);

    expect(decoded.tagsObject.purpose_commit_hash).toBe(descriptionHash);
    expect(decoded.tagsObject.description).toBeUndefined();
  });

  it('issue outside invoices signed by the simulated peer, not our node', () => {
    const outside = fixture.sim.createOutsideInvoice({ amountMsat: 5_000, memo: 'coffee' });

    const decoded = bolt11.decode(outside.bolt11);

    expect(decoded.payeeNodeKey).toBe(fixture.sim.peerPubkey);
    expect(decoded.payeeNodeKey).not.toBe(fixture.sim.pubkey);
    expect(decoded.tagsObject.payment_hash).toBe(outside.paymentHash);
    expect(decoded.tagsObject.payment_secret).toMatch(/^[0-9a-f]{64}$/);
  });
});
