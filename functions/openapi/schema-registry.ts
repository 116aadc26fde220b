import * as z from 'zod';
import { limitParameter } from '../http/schemas/common';

export type JsonSchema = Record<string, unknown>;
export type SchemaIo = 'input' | 'output';

const COMPONENT_PREFIX = '#/components/schemas/';

/**
 * Turns zod schemas into OpenAPI 3.1 schemas (zod's own JSON Schema output, draft 2020-12,
 * the dialect OpenAPI 3.1 uses). A schema with `.meta({ id })` becomes a component and is
 * referenced by `$ref`; the same id met twice must convert to the same thing, so a component
 * can neither be overwritten silently nor end up pointing at itself.
 */
export class SchemaRegistry {
  private readonly components = new Map<string, JsonSchema>();

  /** A request schema: as strict as the validator (`additionalProperties: false`). */
  input(schema: z.ZodType): JsonSchema {
    return this.convert(schema, 'input');
  }

  /** A response schema: responses may gain fields, so no `additionalProperties: false`. */
  output(schema: z.ZodType): JsonSchema {
    return this.convert(schema, 'output');
  }

  /** Every component met so far, by name. */
  schemas(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.components].sort(([a], [b]) => a.localeCompare(b)));
  }

  private convert(schema: z.ZodType, io: SchemaIo): JsonSchema {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12', override: documentLimit }) as JsonSchema;
    const { $schema: _dialect, $defs, ...root } = json;
    for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      this.add(name, finish(definition, io));
    }
    return finish(root, io);
  }

  private add(name: string, schema: JsonSchema): void {
    if (schema.$ref === `${COMPONENT_PREFIX}${name}`) throw new Error(`component ${name} would be a reference to itself`);
    const known = this.components.get(name);
    if (known && JSON.stringify(known) !== JSON.stringify(schema)) {
      throw new Error(`component ${name} converts differently where it is used (request and response?): give each its own id`);
    }
    this.components.set(name, schema);
  }
}

/** Query values arrive as strings; `limit` is documented as the integer it stands for. */
function documentLimit(context: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  if (context.zodSchema !== limitParameter) return;
  for (const key of Object.keys(context.jsonSchema)) delete context.jsonSchema[key];
  Object.assign(context.jsonSchema, { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size, 1–100, default 20' });
}

function finish(schema: JsonSchema, io: SchemaIo): JsonSchema {
  return rewrite(schema, io === 'output') as JsonSchema;
}

/** zod's `#/$defs/X` become `#/components/schemas/X`; responses lose `additionalProperties: false`. */
function rewrite(value: unknown, openEnded: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => rewrite(item, openEnded));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) => !(openEnded && key === 'additionalProperties' && inner === false))
      .map(([key, inner]) => [key, key === '$ref' && typeof inner === 'string' ? inner.replace('#/$defs/', COMPONENT_PREFIX) : rewrite(inner, openEnded)]),
  );
}
