import * as z from 'zod';
import { createTable, type Table } from '../table/client';

/** A deployment whose environment is missing or malformed: the message names every bad variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The variables that are set: an empty one counts as unset, as `FOO= cmd` means in a shell. */
export function presentEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

/** Every problem zod found, each naming its variable. */
export function envProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    return issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`;
  });
}

/**
 * The environment read with a zod schema (empty variables are unset); throws one
 * ConfigError listing every problem, so a bad deployment fails at start-up with a message
 * naming the variables, not on the first event.
 */
export function parseEnv<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv = process.env): z.output<Schema> {
  const parsed = schema.safeParse(presentEnv(env));
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${envProblems(parsed.error).join('; ')}`);
  return parsed.data;
}

/** A queue URL variable, with the sentence a bad deployment sees. */
export const queueUrlVariable = (variable: string, what: string) => z.url(`${variable} must be the URL of ${what}`);

const tableEnvSchema = z.object({
  TABLE_NAME: z.string().min(1, 'TABLE_NAME must name the DynamoDB table'),
  DYNAMODB_ENDPOINT: z.url('DYNAMODB_ENDPOINT must be a URL such as http://127.0.0.1:8000').optional(),
  AWS_REGION: z.string().min(1).optional(),
});

/** The function's table, from TABLE_NAME (and DYNAMODB_ENDPOINT locally). */
export function tableFromEnv(env: NodeJS.ProcessEnv = process.env): Table {
  const vars = parseEnv(tableEnvSchema, env);
  return createTable(vars.TABLE_NAME, {
    ...(vars.DYNAMODB_ENDPOINT ? { endpoint: vars.DYNAMODB_ENDPOINT } : {}),
    ...(vars.AWS_REGION ? { region: vars.AWS_REGION } : {}),
  });
}

/** Built once per process; in Lambda at cold start, so bad configuration fails there and not on the first event. */
export function lazily<T>(build: () => T): () => T {
  let value: T | undefined;
  const get = () => (value ??= build());
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) get();
  return get;
}
