import { AuthenticationError, InternalError, PermissionDeniedError } from '../lib/errors';
import { ApiKeyKind, apiKeyKindOf, hashApiKey } from '../lib/merchants/api-key';
import type { MerchantItem } from '../lib/merchants/merchant';
import { findApiKey, findMerchant } from '../lib/merchants/repository';
import type { Table } from '../lib/table/client';

/** Who is calling: the merchant behind the API key, and which kind of key it was. */
export interface AuthContext {
  merchantId: string;
  keyKind: ApiKeyKind;
  /** The merchant's record, read on first use (most routes never need it). */
  merchant(): Promise<MerchantItem>;
}

/** Which key a route accepts. `invoice`: either key; `secret`: only sk_; `public`: none. */
export const AuthMode = { secret: 'secret', invoice: 'invoice', public: 'public' } as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

// sk_/ik_ + 32 random bytes in base64url; anything else cannot be a key of ours.
const KEY_SHAPE = /^(sk|ik)_[A-Za-z0-9_-]{43}$/;
const BEARER = /^Bearer +(\S+)$/i;

/**
 * Authorization: Bearer <key> → the merchant. Keys are stored only as their SHA-256, so the
 * look-up is by hash; a missing, malformed, unknown or rotated key answers the same 401.
 */
export async function authenticate(table: Table, authorization: string | undefined, mode: Exclude<AuthMode, 'public'>): Promise<AuthContext> {
  const key = BEARER.exec(authorization?.trim() ?? '')?.[1];
  if (key === undefined || !KEY_SHAPE.test(key)) throw new AuthenticationError();
  const record = await findApiKey(table, hashApiKey(key));
  const kind = apiKeyKindOf(key);
  if (!record || record.kind !== kind) throw new AuthenticationError();
  if (mode === AuthMode.secret && record.kind !== ApiKeyKind.secret) throw new PermissionDeniedError();

  const merchantId = record.merchant_id;
  let merchant: Promise<MerchantItem> | undefined;
  return {
    merchantId,
    keyKind: record.kind,
    merchant() {
      merchant ??= findMerchant(table, merchantId).then((item) => {
        // A key without its merchant is a broken table, not a client error.
        if (!item) throw new InternalError();
        return item;
      });
      return merchant;
    },
  };
}
