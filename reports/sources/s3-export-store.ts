import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { InputError } from '../errors';
import type { ExportStore } from './export-store';

/** An export under `s3://bucket/prefix`, read with GetObject (streamed) and ListObjectsV2. */
export class S3ExportStore implements ExportStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  private key(path: string): string {
    return this.prefix === '' ? path : `${this.prefix}/${path}`;
  }

  label(path: string): string {
    return `s3://${this.bucket}/${this.key(path)}`;
  }

  async readText(path: string): Promise<string | undefined> {
    try {
      const body = await this.get(path);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks).toString('utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      if (error instanceof InputError) throw error;
      throw new InputError(`cannot read ${this.label(path)}: ${(error as Error).message}`, { cause: error });
    }
  }

  async open(path: string): Promise<Readable> {
    return this.get(path);
  }

  private async get(path: string): Promise<Readable> {
    let response;
    try {
      response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
    } catch (error) {
      if (isMissing(error)) throw error;
      throw new InputError(`cannot read ${this.label(path)}: ${(error as Error).message}`, { cause: error });
    }
    const body = response.Body;
    if (body instanceof Readable) return body;
    // The SDK's Node runtime hands out an IncomingMessage; anything else async-iterable will do too.
    if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
      return Readable.from(body as AsyncIterable<Uint8Array>);
    }
    throw new Error(`${this.label(path)}: GetObject returned no readable body`);
  }

  async listFolders(path: string): Promise<string[]> {
    const folders: string[] = [];
    const listPrefix = `${this.key(path)}/`;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: listPrefix, Delimiter: '/', ContinuationToken: token }));
      } catch (error) {
        throw new InputError(`cannot list s3://${this.bucket}/${listPrefix}: ${(error as Error).message}`, { cause: error });
      }
      for (const common of page.CommonPrefixes ?? []) {
        const name = common.Prefix?.slice(listPrefix.length).replace(/\/$/, '');
        if (name) folders.push(name);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return folders;
  }
}

function isMissing(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  return error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata?.httpStatusCode === 404);
}
