/**
 * What the pipeline's pieces (outbox, consumers, local bus and queues, node-bridge) log
 * through: structured fields, never a secret. Lambdas plug in Powertools, the bridge its
 * JSON-lines logger, tests a silent or recording one.
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

/** Counters the consumers emit; Lambdas write them as CloudWatch EMF, tests count them. */
export interface Metrics {
  count(name: string, value?: number, dimensions?: Record<string, string>): void;
}

export const noMetrics: Metrics = { count: () => {} };

/**
 * CloudWatch Embedded Metric Format on stdout: Lambda's log stream turns each line into a
 * metric, with no SDK call and no extra permission.
 */
export function embeddedMetrics(namespace: string, write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Metrics {
  return {
    count(name, value = 1, dimensions = {}) {
      write(
        JSON.stringify({
          _aws: {
            Timestamp: Date.now(),
            CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: 'Count' }] }],
          },
          ...dimensions,
          [name]: value,
        }),
      );
    },
  };
}
