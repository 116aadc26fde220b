import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Issue 19: no function's bundle may grow past this (decimal kilobytes, the stricter reading). */
const MAX_BUNDLE_BYTES = 300_000;

interface TemplateResource {
  Type: string;
  Metadata?: Record<string, unknown>;
}

// A real `cdk synth` as an operator runs it: the CLI, the app, ~30 functions bundled by esbuild in
// the app's process (infra/constructs/lambda-bundle.ts), cdk-nag. It cannot be made smaller without losing what it proves.
describe('npx cdk synth', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'cdk-synth-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('synthesizes offline, bundling every function with the local esbuild, with no cdk-nag error', async () => {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      // No AWS account or network: credentials and region are dummies, as on a fresh laptop.
      const child = spawn('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', outDir], {
        env: { ...process.env, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'none', AWS_SECRET_ACCESS_KEY: 'none', CDK_DISABLE_VERSION_CHECK: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('exit', (exitCode) => resolve({ code: exitCode, output: text }));
    });

    expect(code, output.slice(-2000)).toBe(0);
    expect(output).not.toMatch(/docker/i);
    const template = JSON.parse(readFileSync(path.join(outDir, 'LightningPayments-dev.template.json'), 'utf8')) as { Resources: Record<string, TemplateResource> };
    const functions = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(20);
    const bundles = readdirSync(outDir).filter((name) => name.startsWith('asset.') && existsSync(path.join(outDir, name, 'index.mjs')));
    expect(bundles.length).toBeGreaterThan(20);
    // The bundle is the whole asset: no .proto or other file beside it (the source map aside).
    for (const bundle of bundles) expect(readdirSync(path.join(outDir, bundle)).sort()).toEqual(['index.mjs', 'index.mjs.map']);

    // Every function's bundle, by the function that ships it, largest first.
    const sizes = functions
      .map(([logicalId, resource]) => ({ logicalId, asset: resource.Metadata?.['aws:asset:path'] }))
      .filter((fn): fn is { logicalId: string; asset: string } => typeof fn.asset === 'string' && bundles.includes(fn.asset))
      .map((fn) => ({ function: fn.logicalId, bytes: statSync(path.join(outDir, fn.asset, 'index.mjs')).size }))
      .sort((a, b) => b.bytes - a.bytes);
    expect(sizes.length).toBeGreaterThan(20);
    const largest = sizes[0]!;
    console.log(`largest Lambda bundle: ${largest.function} ${(largest.bytes / 1000).toFixed(1)} kB (limit ${MAX_BUNDLE_BYTES / 1000} kB; ${sizes.length} functions)`);
    expect(sizes.filter((fn) => fn.bytes > MAX_BUNDLE_BYTES)).toEqual([]);
  }, 300_000);
});
