/**
 * Hands out one shared string per distinct value. Ids read from millions of lines are
 * millions of separate strings; state that keeps an id keeps the shared copy instead, so
 * memory grows with the number of distinct ids, not with the number of lines.
 */
export class Interner {
  private readonly values = new Map<string, string>();

  intern(value: string): string {
    const known = this.values.get(value);
    if (known !== undefined) return known;
    this.values.set(value, value);
    return value;
  }

  get size(): number {
    return this.values.size;
  }
}
