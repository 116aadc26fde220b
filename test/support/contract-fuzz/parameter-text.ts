import type { Json } from './document';

// Path, query and header values travel as text. A schema describes the value the text stands
// for (OpenAPI's simple and form styles): `limit=20` is the integer 20, `limit=abc` no integer.

/** The text a generated value is sent as. */
export function parameterText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** The value a parameter's text stands for under its schema's types. */
export function parameterValue(text: string, schema: Json): unknown {
  const types = new Set<string>(Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []);
  if ((types.has('integer') || types.has('number')) && NUMBER_TEXT.test(text)) return Number(text);
  if (types.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** What fetch can put in a header as it is: Latin-1, no control characters, no surrounding spaces (fetch trims them). */
export function sendableHeaderValue(value: string): boolean {
  return value.length > 0 && value === value.trim() && /^[\x20-\x7e\x80-\xff\t]*$/.test(value);
}
