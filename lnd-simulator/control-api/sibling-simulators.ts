import { SiblingUnreachableError } from './http-problem';

/** Set on a call one simulator passes to a sibling: the sibling answers for itself only, so nothing is passed on twice. */
export const FORWARDED_HEADER = 'x-lnsim-forwarded';
const SIBLING_TIMEOUT_MS = 5_000;

export interface SiblingAnswer<T> {
  status: number;
  body: T;
}

/** The control URLs of the other simulators of one local stack: a list, or read at each call (ports chosen at start). */
export type SiblingControlUrls = readonly string[] | (() => readonly string[]);

/**
 * The control APIs of the other simulators of the same local stack, each standing for another
 * of our nodes. Their node keys are learnt from `GET /node` and kept: a simulator's key lives
 * in its data dir and does not change while it runs.
 */
export class SiblingSimulators {
  private readonly pubkeys = new Map<string, string>();

  constructor(private readonly urls: SiblingControlUrls) {}

  list(): readonly string[] {
    return typeof this.urls === 'function' ? this.urls() : this.urls;
  }

  /**
   * The sibling whose node is `pubkey`, asking those not known yet; undefined when none is.
   * Throws SiblingUnreachableError when it is none of those that answered and one did not.
   */
  async issuerOf(pubkey: string): Promise<string | undefined> {
    const known = this.list().find((url) => this.pubkeys.get(url) === pubkey);
    if (known) return known;
    let unreachable: SiblingUnreachableError | undefined;
    for (const url of this.list().filter((candidate) => !this.pubkeys.has(candidate))) {
      try {
        const answer = await this.call<{ pubkey: string }>(url, 'GET', '/node');
        if (answer.status !== 200) continue;
        this.pubkeys.set(url, answer.body.pubkey);
        if (answer.body.pubkey === pubkey) return url;
      } catch (error) {
        if (!(error instanceof SiblingUnreachableError)) throw error;
        unreachable ??= error;
      }
    }
    if (unreachable) throw unreachable;
    return undefined;
  }

  /** One control call to a sibling, marked as passed on; throws SiblingUnreachableError when it does not answer. */
  async call<T>(url: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<SiblingAnswer<T>> {
    try {
      const response = await fetch(url + path, {
        method,
        headers: { [FORWARDED_HEADER]: '1', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(SIBLING_TIMEOUT_MS),
      });
      return { status: response.status, body: (await response.json()) as T };
    } catch (error) {
      throw new SiblingUnreachableError(url, { cause: error });
    }
  }
}
