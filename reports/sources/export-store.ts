import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { InputError } from '../errors';

/**
 * Read access to where an export lies, a local directory or an S3 prefix, in the export's
 * own relative paths (`AWSDynamoDB/<ExportId>/manifest-summary.json`, ...).
 */
export interface ExportStore {
  /** How a path is shown in messages: a file path or an s3:// URL. */
  label(path: string): string;
  /** A small file's text, or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** A data file as a byte stream. */
  open(path: string): Promise<Readable>;
  /** The folder names directly under `path` (for finding the ExportIds under AWSDynamoDB/). */
  listFolders(path: string): Promise<string[]>;
}

export class LocalExportStore implements ExportStore {
  constructor(private readonly root: string) {}

  label(path: string): string {
    return join(this.root, path);
  }

  async readText(path: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.root, path), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new InputError(`cannot read ${this.label(path)}: ${(error as Error).message}`, { cause: error });
    }
  }

  async open(path: string): Promise<Readable> {
    const stream = createReadStream(join(this.root, path));
    // Surface a missing file here, with its name, rather than as a stream error later.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  async listFolders(path: string): Promise<string[]> {
    try {
      const entries = await readdir(join(this.root, path), { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw new InputError(`cannot list ${this.label(path)}: ${(error as Error).message}`, { cause: error });
    }
  }
}
