import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write';
import { emptyState, type SimulatorState } from './records';

/** The simulator's whole state as one JSON file, rewritten atomically after every change. */
export class StateFile {
  constructor(private readonly filePath: string) {}

  load(): SimulatorState {
    if (!existsSync(this.filePath)) return emptyState();
    const parsed = JSON.parse(readFileSync(this.filePath, 'utf8')) as Partial<SimulatorState>;
    if (parsed.version !== 1) throw new Error(`${this.filePath}: unsupported state version ${String(parsed.version)}`);
    return { ...emptyState(), ...parsed } as SimulatorState;
  }

  save(state: SimulatorState): void {
    writeFileAtomic(this.filePath, `${JSON.stringify(state)}\n`);
  }
}
