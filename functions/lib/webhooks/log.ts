import { Logger } from '@aws-lambda-powertools/logger';

/**
 * What the webhook functions log through. Ids, statuses and durations only: never an
 * endpoint's secret, never its URL (URLs often carry tokens), never a payload.
 */
export interface WebhookLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export function powertoolsWebhookLog(serviceName: string): WebhookLog {
  const logger = new Logger({ serviceName });
  return {
    info: (message, details) => logger.info(message, details ?? {}),
    warn: (message, details) => logger.warn(message, details ?? {}),
    error: (message, details) => logger.error(message, details ?? {}),
  };
}

export const silentWebhookLog: WebhookLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
