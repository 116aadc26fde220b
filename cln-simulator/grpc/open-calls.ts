/** Calls still waiting for their answer (waitanyinvoice, a pending xpay), so a simulated fault can cut them. */
export class OpenCalls {
  private readonly calls = new Set<(details: string) => void>();

  /** `cut` answers the call with UNAVAILABLE; the returned function forgets it once answered. */
  track(cut: (details: string) => void): () => void {
    this.calls.add(cut);
    return () => this.calls.delete(cut);
  }

  get size(): number {
    return this.calls.size;
  }

  dropAll(details = 'connection dropped by simulated network fault'): number {
    const calls = [...this.calls];
    this.calls.clear();
    for (const cut of calls) cut(details);
    return calls.length;
  }
}
