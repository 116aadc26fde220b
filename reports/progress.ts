import type { Writable } from 'node:stream';

export interface ProgressOptions {
  /** On a terminal: one line redrawn in place. Otherwise: a plain line every `everyItems`. */
  isTTY: boolean;
  /** @default 500000 */
  everyItems?: number;
  /** @default 250 */
  redrawMs?: number;
}

/** Progress on stderr for long runs; silent when given no stream. */
export class Progress {
  private items = 0;
  private lastDrawMs = 0;
  private readonly startedMs = Date.now();
  private file = '';
  private readonly everyItems: number;
  private readonly redrawMs: number;

  constructor(
    private readonly stream: Writable | undefined,
    private readonly options: ProgressOptions,
  ) {
    this.everyItems = options.everyItems ?? 500_000;
    this.redrawMs = options.redrawMs ?? 250;
  }

  onFile(index: number, total: number | undefined): void {
    this.file = total === undefined ? '' : ` (file ${index}/${total})`;
  }

  tick(): void {
    this.items++;
    if (!this.stream) return;
    if (this.options.isTTY) {
      // Date.now() is cheap but not free: look at the clock every 4096 items only.
      if ((this.items & 4095) !== 0) return;
      const now = Date.now();
      if (now - this.lastDrawMs < this.redrawMs) return;
      this.lastDrawMs = now;
      this.stream.write(`\r${this.status()}\u001b[K`);
    } else if (this.items % this.everyItems === 0) {
      this.stream.write(`${this.status()}\n`);
    }
  }

  private status(): string {
    const seconds = (Date.now() - this.startedMs) / 1000;
    const rate = seconds > 0 ? Math.round(this.items / seconds) : 0;
    return `report: ${this.items.toLocaleString('en-US')} items read${this.file}, ${rate.toLocaleString('en-US')} items/s`;
  }

  done(): void {
    if (!this.stream) return;
    if (this.options.isTTY) this.stream.write(`\r${this.status()}\u001b[K\n`);
    else if (this.items >= this.everyItems) this.stream.write(`${this.status()}, done\n`);
  }
}
