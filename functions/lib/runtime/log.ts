import { Logger } from '@aws-lambda-powertools/logger';

/**
 * What every Lambda, the local stack and node-bridge log through: a message and structured
 * fields (ids, statuses, durations), never a secret, never a request body or a webhook
 * payload, never an endpoint's URL (URLs often carry tokens). Lambdas plug in Powertools,
 * the bridge its JSON-lines logger, tests a silent or recording one. Code that needs fewer
 * methods takes a `Pick<Log, ...>`.
 */
export interface Log {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLog: Log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** An error as log fields: name and message only; causes and SDK metadata stay out of logs. */
export function errorFields(error: unknown): { error: { name: string; message: string } } {
  if (error instanceof Error) return { error: { name: error.name, message: error.message } };
  return { error: { name: 'NonError', message: String(error) } };
}

/** The Log interface over Powertools' logger, for Lambdas. */
export function powertoolsLog(serviceName: string): Log {
  const logger = new Logger({ serviceName });
  return {
    debug: (message, fields) => logger.debug(message, fields ?? {}),
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}
