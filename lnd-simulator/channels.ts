/**
 * One fixed channel to the simulated peer: 0.1 BTC on our side, 0.05 BTC on
 * theirs. Balances do not move with payments, so long test runs never drain it.
 */
export const SIMULATED_CHANNEL = {
  chanId: '137438953473',
  channelPoint: '5d1f0e5bd4b0c8e0a52dd9f3b77b9c2c1d0e4cba6d36a9f7c7d2a1b4c3e2f101:0',
  localBalanceSat: 10_000_000,
  remoteBalanceSat: 5_000_000,
  commitFeeSat: 2_810,
  /** capacity = local + remote + the commitment fee the opener set aside. */
  capacitySat: 10_000_000 + 5_000_000 + 2_810,
} as const;

/** The chain never moves: every height the simulator reports or locks to is relative to this. */
export const SIMULATED_BLOCK_HEIGHT = 1_000;

/** What each side of the channel enforces, with LND's defaults for a channel of this size. */
export const SIMULATED_CONSTRAINTS = {
  csvDelay: 144,
  /** 1% of the capacity, as LND asks of its peers. */
  chanReserveSat: 150_028,
  dustLimitSat: 354,
  maxAcceptedHtlcs: 483,
  minHtlcMsat: 1,
} as const;

export const SIMULATED_WALLET = {
  confirmedSat: 50_000_000,
  unconfirmedSat: 0,
  lockedSat: 0,
} as const;

export const localBalanceMsat = (): number => SIMULATED_CHANNEL.localBalanceSat * 1000;
