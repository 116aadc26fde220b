import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const clientDir = path.resolve('clients/typescript');

describe('typed client: generated schema', () => {
  it('src/schema.ts is what `npm run generate` makes of docs/openapi.json today (else: regenerate it)', () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'client-schema-'));
    try {
      const fresh = path.join(outDir, 'schema.ts');
      // The client's own generate script, written to a temporary file instead.
      const { scripts } = JSON.parse(readFileSync(path.join(clientDir, 'package.json'), 'utf8')) as { scripts: { generate: string } };
      const command = scripts.generate.replace('--output src/schema.ts', `--output ${JSON.stringify(fresh)}`);
      expect(command).not.toBe(scripts.generate);
      const binDir = path.resolve('node_modules/.bin');
      execSync(command, { cwd: clientDir, env: { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH}` }, stdio: ['ignore', 'ignore', 'pipe'] });
      const committed = readFileSync(path.join(clientDir, 'src/schema.ts'), 'utf8');
      expect(committed === readFileSync(fresh, 'utf8'), 'clients/typescript/src/schema.ts is stale: run `npm run generate` in clients/typescript').toBe(true);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
