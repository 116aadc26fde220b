import * as z from 'zod';
import { IdPrefix, isIdOf } from '../../lib/ids';
import { ApiCode } from '../validation';

// Lone UTF-16 surrogates cannot be stored as UTF-8: refuse them instead of mangling them.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const isWellFormed = (value: string): boolean => !LONE_SURROGATE.test(value);
export const utf8Bytes = (value: string): number => Buffer.byteLength(value, 'utf8');

/** A string of at most `max` characters, well-formed Unicode. */
export function text(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine(isWellFormed, { message: 'must be valid Unicode text' });
}

/**
 * An id of the given kind. A string that cannot be one is simply an id that does not
 * exist: 404 not_found with the field as param, like any unknown id.
 */
export function idOf(prefix: IdPrefix, what: string) {
  return z
    .string()
    .max(64)
    .refine((value) => isIdOf(prefix, value), { message: `No such ${what}`, params: { apiCode: ApiCode.notFound } })
    .meta({ description: `${what} id (\`${prefix}_...\`)`, examples: [`${prefix}_01hzy3k8g0000000000000000000000000`] });
}

/** Integer millisatoshis: a safe integer, within [min, max]. */
export function msat(options: { min: number; max?: number; description?: string }) {
  return z
    .number()
    .int()
    .min(options.min)
    .max(options.max ?? Number.MAX_SAFE_INTEGER)
    .meta({ description: options.description ?? 'millisatoshis' });
}

export const isoTimestamp = z.string().meta({ description: 'ISO-8601 UTC', examples: ['2026-11-21T10:00:00.000Z'] });
export const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** Query values arrive as strings; this one is documented as the integer it stands for. */
export const limitParameter = z
  .string()
  .regex(/^\d{1,3}$/, { message: 'must be a whole number from 1 to 100' })
  .transform(Number)
  .pipe(z.number().int().min(1, { message: 'must be a whole number from 1 to 100' }).max(100, { message: 'must be a whole number from 1 to 100' }))
  .meta({ description: 'Page size, 1–100, default 20' });

/** `limit` and `cursor` of every list. */
export const listQueryShape = {
  limit: limitParameter.optional(),
  cursor: z.string().max(512).optional().meta({ description: 'next_cursor of the previous page' }),
};

export const idPath = (prefix: IdPrefix, what: string) => z.strictObject({ id: idOf(prefix, what) });

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    has_more: z.boolean(),
    next_cursor: z.string().nullable(),
  });
}

export const errorSchema = z
  .object({
    error: z.object({
      type: z.string(),
      code: z.string(),
      message: z.string(),
      param: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

export { IdPrefix };
