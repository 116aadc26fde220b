export const nowMs = (): number => Date.now();
export const nowSec = (): number => Math.floor(Date.now() / 1000);
export const nowNs = (): string => (BigInt(Date.now()) * 1_000_000n).toString();

// setTimeout cannot wait longer than this; longer waits are re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** setTimeout for an absolute time, however far away; returns a cancel function. */
export function runAt(atMs: number, run: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const waitMs = atMs - Date.now();
    if (waitMs <= 0) {
      run();
      return;
    }
    timer = setTimeout(arm, Math.min(waitMs, MAX_TIMER_MS));
  };
  timer = setTimeout(arm, Math.max(0, Math.min(atMs - Date.now(), MAX_TIMER_MS)));
  return () => clearTimeout(timer);
}
