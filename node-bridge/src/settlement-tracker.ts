type SettlementState = 'pending' | 'published';

/**
 * Which settlements above the cursor the bridge knows of, and how far the cursor may move.
 *
 * The cursor is the highest settle_index below which every settlement is published: it
 * moves over published settlements one index at a time and stops at the first one that
 * is still pending (a later one being published does not help) and at the first index
 * nobody has seen. settle_index can have gaps the node never fills (lnd issue 7071), so
 * an unseen index is only skipped once a ListInvoices scan that started after a higher
 * index was seen did not find it either (`confirmGapsUpTo`).
 */
export class SettlementTracker {
  private readonly states = new Map<number, SettlementState>();
  private cursorIndex: number;
  private highest: number;
  private gapsConfirmedUpTo = 0;
  private gapCount = 0;
  /** Recently skipped gaps: should one still turn up, it is published anyway (belt and braces). */
  private readonly skippedGaps = new Set<number>();

  constructor(cursor: number) {
    this.cursorIndex = cursor;
    this.highest = cursor;
  }

  get cursor(): number {
    return this.cursorIndex;
  }

  /** The highest settle_index seen so far (stream or ListInvoices). */
  get highestKnown(): number {
    return this.highest;
  }

  get pendingCount(): number {
    let count = 0;
    for (const state of this.states.values()) if (state === 'pending') count++;
    return count;
  }

  /** Gaps confirmed and skipped so far. */
  get gapsSkipped(): number {
    return this.gapCount;
  }

  /** A settled invoice arrived. True when it is news: not at or below the cursor, not seen before. */
  observe(settleIndex: number): boolean {
    if (this.skippedGaps.delete(settleIndex)) return true;
    if (!Number.isSafeInteger(settleIndex) || settleIndex <= this.cursorIndex || this.states.has(settleIndex)) return false;
    this.states.set(settleIndex, 'pending');
    if (settleIndex > this.highest) this.highest = settleIndex;
    return true;
  }

  isPending(settleIndex: number): boolean {
    return this.states.get(settleIndex) === 'pending';
  }

  markPublished(settleIndex: number): void {
    if (this.states.has(settleIndex)) this.states.set(settleIndex, 'published');
  }

  /** Indexes between the cursor and the highest known that nobody has seen yet. */
  hasHoles(): boolean {
    return this.states.size < this.highest - this.cursorIndex;
  }

  /**
   * Called after a complete ListInvoices scan that started when `upTo` was the highest
   * index seen: every index up to it that the scan did not turn up is a gap of the node.
   */
  confirmGapsUpTo(upTo: number): void {
    if (upTo > this.gapsConfirmedUpTo) this.gapsConfirmedUpTo = upTo;
  }

  /** Moves the cursor as far as it may go; true when it moved. */
  advance(): boolean {
    const before = this.cursorIndex;
    for (;;) {
      const next = this.cursorIndex + 1;
      const state = this.states.get(next);
      if (state === 'published') {
        this.states.delete(next);
        this.cursorIndex = next;
      } else if (state === undefined && next <= this.gapsConfirmedUpTo && next <= this.highest) {
        this.gapCount++;
        this.cursorIndex = next;
        this.skippedGaps.add(next);
        if (this.skippedGaps.size > 10_000) this.skippedGaps.delete(this.skippedGaps.values().next().value!);
      } else {
        break;
      }
    }
    return this.cursorIndex !== before;
  }
}
