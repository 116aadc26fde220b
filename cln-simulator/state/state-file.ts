import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../lnd-simulator/state/atomic-write';
import { type ClnSimulatorState, emptyClnState } from './records';

/** The whole state as one JSON file, rewritten atomically after every change. */
export class ClnStateFile {
  constructor(private readonly filePath: string) {}

  load(): ClnSimulatorState {
    if (!existsSync(this.filePath)) return emptyClnState();
    const parsed = JSON.parse(readFileSync(this.filePath, 'utf8')) as Partial<ClnSimulatorState>;
    if (parsed.version !== 1) throw new Error(`${this.filePath}: unsupported state version ${String(parsed.version)}`);
    return { ...emptyClnState(), ...parsed } as ClnSimulatorState;
  }

  save(state: ClnSimulatorState): void {
    writeFileAtomic(this.filePath, `${JSON.stringify(state)}\n`);
  }
}
