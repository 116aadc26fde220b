import type { core } from 'zod';
import { AmountOutOfRangeError, ApiError, NotFoundError, ValidationError } from '../lib/errors';

/** Which part of the request a schema checked: it decides how a refusal reads. */
export type InputSource = 'path' | 'query' | 'body';

/** Set on a zod issue (`params: { apiCode }`) to answer with a code other than validation_failed. */
export const ApiCode = { notFound: 'not_found', amountOutOfRange: 'amount_out_of_range' } as const;
export type ApiCode = (typeof ApiCode)[keyof typeof ApiCode];

const RANK = { validation: 0, amountOutOfRange: 1, notFound: 2 } as const;

/**
 * zod's issues → the one error the client sees. A wrong type or shape outranks an amount
 * out of range, which outranks an id that names nothing, so a request with several faults
 * is told about the most basic one first. An integer of msat outside its range is
 * `amount_out_of_range`; anything that is not an integer at all is `validation_failed`.
 * A malformed id in the path is a 404 like any other id that does not exist.
 */
export function issuesToError(issues: readonly core.$ZodIssue[], source: InputSource, input?: unknown): ApiError {
  if (source === 'path') {
    // Worded as the repositories word a missing id, so malformed and missing read the same.
    const issue = issues[0];
    const name = issue?.path[0];
    const value = typeof name === 'string' ? (input as Record<string, unknown> | undefined)?.[name] : undefined;
    return new NotFoundError(issue && typeof value === 'string' ? `${issue.message}: ${value}` : undefined);
  }
  const ranked = issues
    .map((issue, index) => ({ issue, index, rank: rankOf(issue) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index);
  const first = ranked[0];
  if (!first) return new ValidationError('The request is not valid');
  const { issue, rank } = first;
  const param = paramOf(issue);
  const message = messageOf(issue, param);
  if (rank === RANK.notFound) return new NotFoundError(message, param ? { param } : undefined);
  if (rank === RANK.amountOutOfRange) return new AmountOutOfRangeError(message, param ? { param } : undefined);
  return new ValidationError(message, param ? { param } : undefined);
}

function rankOf(issue: core.$ZodIssue): number {
  const apiCode = (issue as { params?: { apiCode?: ApiCode } }).params?.apiCode;
  if (apiCode === ApiCode.notFound) return RANK.notFound;
  if (apiCode === ApiCode.amountOutOfRange) return RANK.amountOutOfRange;
  const last = issue.path[issue.path.length - 1];
  const isMsatField = typeof last === 'string' && last.endsWith('_msat');
  if (isMsatField && (issue.code === 'too_small' || issue.code === 'too_big') && issue.origin === 'number') return RANK.amountOutOfRange;
  return RANK.validation;
}

function paramOf(issue: core.$ZodIssue): string | undefined {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  return path.length > 0 ? path.join('.') : undefined;
}

function messageOf(issue: core.$ZodIssue, param: string | undefined): string {
  if (issue.code === 'unrecognized_keys') return `Unknown field: ${param ?? issue.keys[0] ?? ''}`;
  if (!param || issue.message.startsWith(param)) return issue.message;
  return `${param}: ${issue.message}`;
}
