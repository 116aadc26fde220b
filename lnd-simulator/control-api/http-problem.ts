/** A control API answer other than 200: its status and the `error` text of the body. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';

  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A sibling simulator of the same stack did not answer a call this one had to pass on. */
export class SiblingUnreachableError extends HttpProblem {
  override name = 'SiblingUnreachableError';

  constructor(
    readonly siblingUrl: string,
    options?: ErrorOptions,
  ) {
    super(502, `sibling simulator ${siblingUrl} did not answer`, options);
  }
}

/** An outside invoice a sibling created that this simulator cannot pay as it would its own. */
export class ForeignOutsideInvoiceError extends HttpProblem {
  override name = 'ForeignOutsideInvoiceError';

  constructor(message: string) {
    super(409, message);
  }
}
