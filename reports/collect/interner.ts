/**
 * Numbers the distinct ids of one kind (accounts, merchants): 0, 1, 2, ... Per-object state
 * refers to an account by its number (4 bytes in a typed array) instead of a string, and
 * memory grows with the number of distinct ids, never with the number of lines read.
 */
export class IdTable {
  private readonly numbers = new Map<string, number>();
  private readonly names: string[] = [];

  numberOf(id: string): number {
    let number = this.numbers.get(id);
    if (number === undefined) {
      number = this.names.length;
      this.numbers.set(id, number);
      this.names.push(id);
    }
    return number;
  }

  /** The shared copy of an id (for maps keyed by it). */
  intern(id: string): string {
    return this.names[this.numberOf(id)]!;
  }

  nameOf(number: number): string | null {
    return number < 0 ? null : (this.names[number] ?? null);
  }

  get size(): number {
    return this.names.length;
  }
}
