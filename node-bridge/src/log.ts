import type { Log } from '../../functions/lib/runtime/log';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Field names that could carry a credential: their values never reach a log line.
const SECRET_FIELD = /macaroon|cert|secret|password|authorization|credential|token/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return '[bytes]';
  if (Array.isArray(value)) return value.map((element) => redact(element, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, SECRET_FIELD.test(key) ? '[redacted]' : redact(field, depth + 1)]));
}

/** One JSON object per line on stdout, for CloudWatch (awslogs driver) and for humans with jq. */
export function jsonLog(options: { level: LogLevel; base?: Record<string, unknown>; write?: (line: string) => void }): Log {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const minimum = RANK[options.level];
  const emit = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < minimum) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, ...options.base, message, ...(fields ? (redact(fields) as object) : {}) }));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** The same log with `fields` on every line (a node's id on its stream's lines); a line's own fields win. */
export function withFields(log: Log, fields: Record<string, unknown>): Log {
  const merged = (own?: Record<string, unknown>) => ({ ...fields, ...own });
  return {
    debug: (message, own) => log.debug(message, merged(own)),
    info: (message, own) => log.info(message, merged(own)),
    warn: (message, own) => log.warn(message, merged(own)),
    error: (message, own) => log.error(message, merged(own)),
  };
}
