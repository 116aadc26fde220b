import { setFlagsFromString } from 'node:v8';

/** The old generation may grow by this much over what the last full GC kept, before the next. */
export const HEAP_GROWING_PERCENT = 50;

/**
 * Keeps a long streaming run's heap close to what it really holds. By default V8 lets the old
 * generation grow to several times the live data before a full GC when collection is cheap,
 * which for a report that promotes a steady trickle of short-lived objects meant a peak RSS
 * about 3× the live state. Capping the growth factor at 1.5× trades a few more (short) full
 * GCs for a peak that follows the live state: measured on 200,000 entries, 196 MB instead of
 * 309 MB, at the same speed. `--heap-growing-percent` is read at every GC, so setting it at
 * start-up takes effect; it only changes when GC runs, never what the program computes.
 * Called by the command-line entry points only: a library must not retune its host's VM.
 */
export function tuneHeapForStreaming(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
