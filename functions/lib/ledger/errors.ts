/**
 * A money movement that has already happened (a replayed or duplicate event): the caller
 * treats it as done. Not a client error, so not an ApiError.
 */
export class AlreadyAppliedError extends Error {
  constructor(message: string, readonly current?: unknown) {
    super(message);
    this.name = 'AlreadyAppliedError';
  }
}

/** The node reported a fee above the limit we gave it: never expected, never papered over. */
export class FeeExceedsReserveError extends Error {
  constructor(readonly withdrawalId: string, readonly feeMsat: number, readonly reserveMsat: number) {
    super(`withdrawal ${withdrawalId}: fee ${feeMsat} msat exceeds the reserved ${reserveMsat} msat`);
    this.name = 'FeeExceedsReserveError';
  }
}

/** A payment result names another payment hash than the withdrawal's: a bug upstream, never applied. */
export class PaymentHashMismatchError extends Error {
  constructor(readonly withdrawalId: string) {
    super(`payment result for ${withdrawalId} names another payment hash`);
    this.name = 'PaymentHashMismatchError';
  }
}

/**
 * A node settled a hash whose invoice another of our nodes issued: someone made an invoice of
 * the same hash on that node by hand. Never credited to our invoice, never dropped either: the
 * consumer parks it for a human.
 */
export class SettlementFromOtherNodeError extends Error {
  constructor(readonly invoiceId: string, readonly issuedBy: string, readonly settledBy: string) {
    super(`invoice ${invoiceId} was issued by node ${issuedBy} but node ${settledBy} settled its hash`);
    this.name = 'SettlementFromOtherNodeError';
  }
}
