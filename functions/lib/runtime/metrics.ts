/** Counters the pipeline emits; Lambdas write them as CloudWatch EMF, tests count them. */
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
