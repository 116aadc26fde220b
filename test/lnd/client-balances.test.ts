import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LndClient } from '../../functions/lib/lnd';
import { type SimulatorFixture, startSimulatorFixture } from './support/simulator-fixture';

describe('LndClient balances and channels (payment macaroon)', () => {
  let fixture: SimulatorFixture;
  let bridge: LndClient;

  beforeAll(async () => {
    fixture = await startSimulatorFixture();
    bridge = fixture.client('payment');
  });
  afterAll(() => fixture.stop());

  it('reports channel balances in msat that agree with the channel list', async () => {
    const balance = await bridge.channelBalance();
    const channels = await bridge.listChannels();

    const sumSat = (pick: (c: (typeof channels)[number]) => number) => channels.reduce((sum, c) => sum + pick(c), 0);
    expect(balance.localMsat).toBe(sumSat((c) => c.localBalanceSat) * 1000);
    expect(balance.remoteMsat).toBe(sumSat((c) => c.remoteBalanceSat) * 1000);
    expect(balance.localMsat).toBe(10_000_000_000);
    expect(balance.remoteMsat).toBe(5_000_000_000);
    expect(balance).toMatchObject({ unsettledLocalMsat: 0, pendingOpenLocalMsat: 0 });
  });

  it('lists the channel to the simulated peer with a consistent capacity', async () => {
    const [channel, ...others] = await bridge.listChannels();

    expect(others).toEqual([]);
    expect(channel).toMatchObject({ active: true, remotePubkey: fixture.sim.peerPubkey });
    expect(channel?.chanId).toMatch(/^\d+$/);
    expect(channel?.capacitySat).toBe(
      (channel?.localBalanceSat ?? 0) + (channel?.remoteBalanceSat ?? 0) + (channel?.commitFeeSat ?? 0),
    );
  });

  it('reports the on-chain wallet balance', async () => {
    const wallet = await bridge.walletBalance();

    expect(wallet.totalSat).toBe(wallet.confirmedSat + wallet.unconfirmedSat);
    expect(wallet.confirmedSat).toBeGreaterThan(0);
  });

  it('reads node info with the payment macaroon too', async () => {
    expect((await bridge.getInfo()).identityPubkey).toBe(fixture.sim.pubkey);
  });
});
