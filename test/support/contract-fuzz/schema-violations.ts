import fc from 'fast-check';
import { resolveRef, type Json } from './document';
import { valuesOf, type SchemaContext } from './schema-values';

// JSON Schema → fast-check arbitrary of values the schema refuses, each saying why: a wrong
// type, a number out of range, a string too long, too short, off its pattern or its enum, an
// array with too many items, an object missing a required property, with an unknown one or
// with one of its properties broken in any of these ways. A candidate can still be valid
// (a broken anyOf branch that another branch accepts): callers keep what the validator refuses.

export interface Violation {
  why: string;
  value: unknown;
}

type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'array' | 'object';

const SAMPLES: Array<{ type: JsonType; value: unknown }> = [
  { type: 'string', value: 'fuzz' },
  { type: 'string', value: '1000' },
  { type: 'integer', value: 7 },
  { type: 'number', value: 1.5 },
  { type: 'boolean', value: true },
  { type: 'null', value: null },
  { type: 'array', value: [] },
  { type: 'object', value: {} },
];

export function violationsOf(schema: Json, context: SchemaContext): fc.Arbitrary<Violation> {
  const resolved = resolveRef(context.document, schema);
  const options: fc.Arbitrary<Violation>[] = [];
  const wrongTypes = wrongTypeSamples(resolved, context);
  if (wrongTypes.length > 0) options.push(fc.constantFrom(...wrongTypes).map((value) => ({ why: `wrong type ${JSON.stringify(value)}`, value })));
  for (const variant of [resolved, ...(((resolved.anyOf ?? resolved.oneOf) as Json[] | undefined) ?? []).map((branch) => resolveRef(context.document, branch))]) {
    options.push(...keywordViolations(variant, context));
  }
  if (options.length === 0) throw new Error(`no way to break the schema ${JSON.stringify(resolved).slice(0, 120)}`);
  return fc.oneof(...options);
}

function keywordViolations(schema: Json, context: SchemaContext): fc.Arbitrary<Violation>[] {
  const options: fc.Arbitrary<Violation>[] = [];
  if (Array.isArray(schema.enum)) {
    options.push(fc.string({ maxLength: 12 }).filter((value) => !schema.enum.includes(value)).map((value) => ({ why: `not in enum: ${JSON.stringify(value)}`, value })));
  }
  const types = typesOf(schema, context);
  if (types.has('string')) {
    if (schema.maxLength !== undefined) {
      const max = schema.maxLength as number;
      options.push(fc.integer({ min: max + 1, max: max + 40 }).map((length) => ({ why: `longer than ${max}`, value: 'x'.repeat(length) })));
    }
    if (schema.minLength > 0) options.push(fc.constant({ why: `shorter than ${schema.minLength}`, value: 'x'.repeat(schema.minLength - 1) }));
    if (typeof schema.pattern === 'string') {
      const pattern = new RegExp(schema.pattern);
      // Unfiltered here (a pattern may refuse nothing that a generator makes): the caller's validity filter decides.
      const candidates = fc.oneof(fc.string({ minLength: 1, maxLength: 70 }), fc.fullUnicodeString({ minLength: 1, maxLength: 20 }), fc.constantFrom('g'.repeat(64), 'a b', 'tab\there', 'é', 'ünïcode', '\u007f'));
      options.push(candidates.map((value) => ({ why: `off pattern ${schema.pattern} (${pattern.test(value) ? 'matches after all' : 'does not match'})`, value })));
    }
  }
  if (types.has('integer') || types.has('number')) {
    if (schema.minimum !== undefined) options.push(fc.constantFrom(schema.minimum - 1, schema.minimum - 1_000_000, -1e21).filter((value) => value < schema.minimum).map((value) => ({ why: `below ${schema.minimum}`, value })));
    if (schema.maximum !== undefined) options.push(fc.constantFrom(schema.maximum + 1, schema.maximum * 2 + 1, 1e21).map((value) => ({ why: `above ${schema.maximum}`, value })));
  }
  if (types.has('array')) {
    if (schema.maxItems !== undefined && schema.items) {
      options.push(valuesOf(schema.items, context).map((item) => ({ why: `more than ${schema.maxItems} items`, value: Array.from({ length: schema.maxItems + 1 }, () => item) })));
    }
    if (schema.minItems > 0) options.push(fc.constant({ why: `fewer than ${schema.minItems} items`, value: [] }));
    if (schema.items) options.push(violationsOf(schema.items, context).map(({ why, value }) => ({ why: `item: ${why}`, value: [value] })));
  }
  if (types.has('object')) options.push(...objectViolations(schema, context));
  return options;
}

function objectViolations(schema: Json, context: SchemaContext): fc.Arbitrary<Violation>[] {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = (schema.required ?? []) as string[];
  const base = valuesOf({ ...schema, type: 'object' }, context) as fc.Arbitrary<Record<string, unknown>>;
  const options: fc.Arbitrary<Violation>[] = [];
  for (const name of required) {
    options.push(base.map((value) => ({ why: `missing required ${name}`, value: without(value, name) })));
  }
  if (schema.additionalProperties === false) {
    const unknown = fc.oneof(fc.constantFrom('junk', 'merchant_id', 'balance_msat', 'id', 'constructor'), fc.string({ minLength: 1, maxLength: 12 })).filter((name) => !(name in properties) && name !== '__proto__');
    options.push(fc.tuple(base, unknown, fc.jsonValue({ maxDepth: 1 })).map(([value, name, extra]) => ({ why: `unknown property ${name}`, value: { ...value, [name]: extra } })));
  }
  for (const [name, property] of Object.entries(properties)) {
    options.push(fc.tuple(base, violationsOf(property, context)).map(([value, broken]) => ({ why: `${name}: ${broken.why}`, value: { ...value, [name]: broken.value } })));
  }
  if (typeof schema.additionalProperties === 'object' && schema.propertyNames) {
    options.push(fc.tuple(base, violationsOf(schema.propertyNames, context)).filter(([, broken]) => typeof broken.value === 'string' && broken.value !== '__proto__').map(([value, broken]) => ({ why: `property name ${broken.why}`, value: { ...value, [broken.value as string]: 'x' } })));
  }
  return options;
}

function without(value: Record<string, unknown>, name: string): Record<string, unknown> {
  const copy = { ...value };
  delete copy[name];
  return copy;
}

/** The JSON types a schema accepts (integer counted as a number when number is accepted). */
function typesOf(schema: Json, context: SchemaContext): Set<JsonType> {
  const resolved = resolveRef(context.document, schema);
  if ('const' in resolved) return new Set([typeOfValue(resolved.const)]);
  if (Array.isArray(resolved.enum)) return new Set(resolved.enum.map(typeOfValue));
  const branches = (resolved.anyOf ?? resolved.oneOf) as Json[] | undefined;
  if (branches) return new Set(branches.flatMap((branch) => [...typesOf(branch, context)]));
  if (resolved.type === undefined) return new Set(['string', 'integer', 'number', 'boolean', 'null', 'array', 'object']);
  const types = new Set<JsonType>(Array.isArray(resolved.type) ? resolved.type : [resolved.type]);
  if (types.has('number')) types.add('integer');
  return types;
}

function typeOfValue(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function wrongTypeSamples(schema: Json, context: SchemaContext): unknown[] {
  const types = typesOf(schema, context);
  return SAMPLES.filter((sample) => !types.has(sample.type) && !(sample.type === 'integer' && types.has('number'))).map((sample) => sample.value);
}
