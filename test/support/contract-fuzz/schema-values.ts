import fc from 'fast-check';
import { resolveRef, type Json } from './document';

// JSON Schema → fast-check arbitrary of values the schema accepts, for the subset the
// document uses: type (one or several), const, enum, properties/required/additionalProperties,
// propertyNames, items/minItems/maxItems, minimum/maximum, minLength/maxLength, pattern,
// anyOf/oneOf and $ref. What it makes is not guaranteed valid (oneOf exclusivity, string
// lengths in code points): callers keep only what the validator accepts.

/**
 * Values a client would plausibly send for a field or parameter of this name (ids that
 * exist, a real BOLT11, ...), so generated requests get past the lookups to the deep checks.
 */
export type Hints = (name: string, schema: Json) => fc.Arbitrary<unknown> | undefined;

export interface SchemaContext {
  document: Json;
  hints?: Hints;
}

/** How far past a minimum length a generated string goes when the schema sets no maximum. */
const FREE_LENGTH = 24;
const FREE_ITEMS = 4;

export function valuesOf(schema: Json, context: SchemaContext, name?: string): fc.Arbitrary<unknown> {
  const resolved = resolveRef(context.document, schema);
  const derived = fromSchema(resolved, context);
  const hint = name === undefined ? undefined : context.hints?.(name, resolved);
  return hint ? fc.oneof({ arbitrary: hint, weight: 6 }, { arbitrary: derived, weight: 1 }) : derived;
}

function fromSchema(schema: Json, context: SchemaContext): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const branches = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (branches) {
    const { anyOf: _anyOf, oneOf: _oneOf, ...siblings } = schema;
    return fc.oneof(...branches.map((branch) => valuesOf({ ...siblings, ...resolveRef(context.document, branch) }, context)));
  }
  if (schema.allOf || schema.not) throw new Error(`schema keyword not supported by the fuzzer: ${JSON.stringify(schema).slice(0, 120)}`);
  if (Array.isArray(schema.type)) return fc.oneof(...(schema.type as string[]).map((type) => fromSchema({ ...schema, type }, context)));
  switch (schema.type) {
    case 'string':
      return strings(schema);
    case 'integer':
      return integers(schema);
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e12, max: schema.maximum ?? 1e12, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.min(schema.maxItems ?? minLength + FREE_ITEMS, minLength + FREE_ITEMS);
      return fc.array(schema.items ? valuesOf(schema.items, context) : fc.jsonValue({ maxDepth: 1 }), { minLength, maxLength });
    }
    case 'object':
      return objects(schema, context);
    case undefined:
      return fc.jsonValue({ maxDepth: 2 });
    default:
      throw new Error(`schema type not supported by the fuzzer: ${String(schema.type)}`);
  }
}

function strings(schema: Json): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? minLength + FREE_LENGTH;
  if (typeof schema.pattern === 'string') {
    const inRange = (value: string) => [...value].length >= minLength && [...value].length <= (schema.maxLength ?? Infinity);
    return fc.stringMatching(new RegExp(schema.pattern)).filter(inRange);
  }
  const short = Math.min(maxLength, minLength + FREE_LENGTH);
  return fc.oneof(
    { arbitrary: fc.string({ minLength, maxLength: short }), weight: 6 },
    { arbitrary: fc.fullUnicodeString({ minLength, maxLength: Math.min(maxLength, minLength + 8) }), weight: 2 },
    // Right at the limit: where off-by-one and byte-versus-character mistakes live.
    { arbitrary: fc.string({ minLength: maxLength, maxLength }), weight: maxLength <= 10_000 ? 1 : 0 },
  );
}

function integers(schema: Json): fc.Arbitrary<number> {
  const min = schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : (schema.minimum ?? Number.MIN_SAFE_INTEGER);
  const max = schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : (schema.maximum ?? Number.MAX_SAFE_INTEGER);
  const edges = [min, min + 1, max - 1, max, 0, 1].filter((value) => value >= min && value <= max);
  return fc.oneof(
    { arbitrary: fc.constantFrom(...edges), weight: 2 },
    { arbitrary: fc.integer({ min, max: Math.min(max, min + 100_000) }), weight: 3 },
    { arbitrary: fc.integer({ min, max }), weight: 1 },
  );
}

function objects(schema: Json, context: SchemaContext): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = (schema.required ?? []) as string[];
  const model = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, valuesOf(property, context, name)]));
  // Few optional properties more often than many: fields that only go together in some ways
  // (memo or description_hash) then meet less, and more requests get past validation.
  const optional = Object.keys(properties).filter((name) => !required.includes(name));
  const chosen = fc.oneof(fc.constant([] as string[]), fc.subarray(optional, { maxLength: Math.min(2, optional.length) }), fc.subarray(optional));
  const declared = chosen.chain((keys) => fc.record(Object.fromEntries(Object.entries(model).filter(([name]) => required.includes(name) || keys.includes(name)))));
  const additional = schema.additionalProperties;
  if (additional === false || (additional === undefined && Object.keys(properties).length > 0)) return declared as fc.Arbitrary<Record<string, unknown>>;
  const keys = schema.propertyNames ? (valuesOf(schema.propertyNames, context) as fc.Arbitrary<string>) : fc.string({ minLength: 1, maxLength: 12 });
  const values = typeof additional === 'object' && Object.keys(additional).length > 0 ? valuesOf(additional, context) : fc.jsonValue({ maxDepth: 1 });
  const extra = fc.dictionary(keys.filter((key) => !(key in properties) && key !== '__proto__'), values, { maxKeys: 3, noNullPrototype: true });
  return fc.tuple(extra, declared).map(([more, own]) => ({ ...more, ...own }));
}
