import { Logger } from '@aws-lambda-powertools/logger';

/** What the pipeline logs through: structured, never a secret, never a request body. */
export interface Log {
  error(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

export function powertoolsLog(serviceName = 'lightning-payments-api'): Log {
  const logger = new Logger({ serviceName });
  return {
    error: (message, details) => logger.error(message, details ?? {}),
    warn: (message, details) => logger.warn(message, details ?? {}),
  };
}

export const silentLog: Log = { error: () => undefined, warn: () => undefined };
