import { createHash, randomBytes } from 'node:crypto';

export const ApiKeyKind = {
  /** `sk_`: everything. */
  secret: 'secret',
  /** `ik_`: create and read invoices, read accounts. */
  invoice: 'invoice',
} as const;
export type ApiKeyKind = (typeof ApiKeyKind)[keyof typeof ApiKeyKind];

const PREFIX: Record<ApiKeyKind, string> = { secret: 'sk_', invoice: 'ik_' };

export function newApiKey(kind: ApiKeyKind): string {
  return PREFIX[kind] + randomBytes(32).toString('base64url');
}

/** Keys are stored only as this hash; a key has 256 random bits, so no salt or slow hash is needed. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function apiKeyKindOf(key: string): ApiKeyKind | undefined {
  if (key.startsWith(PREFIX.secret)) return ApiKeyKind.secret;
  if (key.startsWith(PREFIX.invoice)) return ApiKeyKind.invoice;
  return undefined;
}
