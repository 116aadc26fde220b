import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderOpenApi } from '../../scripts/openapi';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'node_modules/.bin');
// No telemetry, no update check: the linters run offline.
const ENV = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
const LINT_TIMEOUT_MS = 90_000;

interface Findings {
  errors: string[];
  warnings: string[];
}

const workDir = mkdtempSync(path.join(tmpdir(), 'openapi-lint-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function writeDocument(name: string, document: unknown): string {
  const file = path.join(workDir, name);
  writeFileSync(file, typeof document === 'string' ? document : `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

/** A failing run still prints its report: read the output either way. */
async function spawn(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(BIN, command), args, { cwd: ROOT, env: ENV, timeout: LINT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function redocly(file: string): Promise<Findings> {
  const { code, stdout, stderr } = await spawn('redocly', ['lint', file, '--config', path.join(ROOT, 'redocly.yaml'), '--format', 'json']);
  let report: { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string }[] };
  try {
    report = JSON.parse(stdout);
  } catch {
    // No report at all: Redocly could not even read the document (a circular pointer, say).
    return { errors: [`redocly exited ${code}: ${stderr.replace(/[║╔╗╚╝═]/g, '').trim().split('\n').slice(-3).join(' ')}`], warnings: [] };
  }
  const format = (problem: { ruleId: string; message: string }) => `${problem.ruleId}: ${problem.message}`;
  const errors = report.problems.filter((problem) => problem.severity === 'error').map(format);
  if (code !== 0 && errors.length === 0) errors.push(`redocly exited ${code}`);
  return { errors, warnings: report.problems.filter((problem) => problem.severity === 'warn').map(format) };
}

async function spectral(file: string): Promise<Findings> {
  const output = `${file}.spectral.json`;
  const { code, stderr } = await spawn('spectral', ['lint', file, '--ruleset', path.join(ROOT, '.spectral.yaml'), '--format', 'json', '--output', output]);
  let results: { code: string; severity: number; message: string; path: string[] }[];
  try {
    results = JSON.parse(readFileSync(output, 'utf8'));
  } catch {
    return { errors: [`spectral exited ${code}: ${stderr.trim()}`], warnings: [] };
  }
  const format = (result: { code: string; message: string; path: string[] }) => `${result.code}: ${result.message} (${result.path.join('.')})`;
  // Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
  const errors = results.filter((result) => result.severity === 0).map(format);
  if (code !== 0 && errors.length === 0) errors.push(`spectral exited ${code}: ${stderr.trim()}`);
  return { errors, warnings: results.filter((result) => result.severity === 1).map(format) };
}

describe('OpenAPI document, as the standard linters see it', () => {
  const document = renderOpenApi();

  it('passes Redocly CLI (recommended rules) without an error', { timeout: LINT_TIMEOUT_MS }, async () => {
    const findings = await redocly(writeDocument('openapi.json', document));
    console.info(`redocly: ${findings.errors.length} errors, ${findings.warnings.length} warnings`, findings.warnings);
    expect(findings.errors).toEqual([]);
  });

  it('passes Spectral (spectral:oas) without an error', { timeout: LINT_TIMEOUT_MS }, async () => {
    const findings = await spectral(writeDocument('openapi.json', document));
    console.info(`spectral: ${findings.errors.length} errors, ${findings.warnings.length} warnings`, findings.warnings);
    expect(findings.errors).toEqual([]);
  });

  it('would fail on the defects it guards against: a self-referencing Error, an example its schema refuses', { timeout: 2 * LINT_TIMEOUT_MS }, async () => {
    const selfReferencing = JSON.parse(document);
    selfReferencing.components.schemas.Error = { $ref: '#/components/schemas/Error' };
    const badExample = JSON.parse(document);
    badExample.paths['/v1/transfers'].post.requestBody.content['application/json'].example.amount_msat = '50000';

    const [redoclyOnSelfReference, spectralOnBadExample] = await Promise.all([
      redocly(writeDocument('self-referencing.json', selfReferencing)),
      spectral(writeDocument('bad-example.json', badExample)),
    ]);
    expect(redoclyOnSelfReference.errors.join('\n')).toMatch(/circular/i);
    expect(spectralOnBadExample.errors.join('\n')).toMatch(/oas3-valid-media-example.*amount_msat/);
  });
});
