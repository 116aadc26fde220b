/**
 * The subset of EventBridge event patterns the local bus understands, with EventBridge's
 * meaning: every field named in the pattern must match, a list of values matches any of
 * them, an array in the event matches when any element does, and nested objects
 * (`detail`) match field by field. Value matchers: literals (string, number, boolean,
 * null), `{prefix}`, `{suffix}`, `{exists}`, `{anything-but: literal | literal[] | {prefix}}`.
 */
export type PatternValue =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { suffix: string }
  | { exists: boolean }
  | { 'anything-but': string | number | Array<string | number> | { prefix: string } };

export interface EventPattern {
  source?: PatternValue[];
  'detail-type'?: PatternValue[];
  account?: PatternValue[];
  region?: PatternValue[];
  detail?: FieldPattern;
}

export interface FieldPattern {
  [field: string]: PatternValue[] | FieldPattern;
}

export function matchesPattern(pattern: EventPattern, event: Record<string, unknown>): boolean {
  return matchesFields(pattern as FieldPattern, event);
}

function matchesFields(pattern: FieldPattern, value: unknown): boolean {
  const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  return Object.entries(pattern).every(([field, fieldPattern]) => {
    const present = Object.prototype.hasOwnProperty.call(object, field);
    const fieldValue = object[field];
    if (Array.isArray(fieldPattern)) return fieldPattern.some((matcher) => matchesValue(matcher, present, fieldValue));
    return present && matchesFields(fieldPattern, fieldValue);
  });
}

function matchesValue(matcher: PatternValue, present: boolean, value: unknown): boolean {
  if (matcher !== null && typeof matcher === 'object' && 'exists' in matcher) return matcher.exists === (present && value !== undefined);
  if (!present) return false;
  if (Array.isArray(value)) return value.some((element) => matchesScalar(matcher, element));
  return matchesScalar(matcher, value);
}

function matchesScalar(matcher: PatternValue, value: unknown): boolean {
  if (matcher === null || typeof matcher !== 'object') return matcher === value;
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(matcher.prefix);
  if ('suffix' in matcher) return typeof value === 'string' && value.endsWith(matcher.suffix);
  if ('anything-but' in matcher) {
    const excluded = matcher['anything-but'];
    if (Array.isArray(excluded)) return !excluded.includes(value as string | number);
    if (typeof excluded === 'object') return !(typeof value === 'string' && value.startsWith(excluded.prefix));
    return value !== excluded;
  }
  return false;
}
