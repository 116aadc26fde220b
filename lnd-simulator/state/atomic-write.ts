import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';

/**
 * Write to a temp file in the same folder, then rename over the target: a
 * crash leaves either the old or the new file, never half of one.
 */
export function writeFileAtomic(filePath: string, data: string | Buffer, mode = 0o600): void {
  const tempPath = `${filePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tempPath, data, { mode });
  renameSync(tempPath, filePath);
}
