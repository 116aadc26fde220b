import type { Table } from '../table/client';
import { endpointSecretContext } from './endpoint';
import { legacyPlaintextEndpoints, sealEndpointSecret } from './endpoint-repository';
import type { SecretSealer } from './secret-sealer';

export interface SealLegacySecretsResult {
  /** Endpoints whose plaintext secret was sealed now. */
  sealed: string[];
  /** Endpoints changed or deleted while we worked: left as they are. */
  skipped: string[];
}

/**
 * The migration for endpoints written before secrets were sealed: each plaintext `secret`
 * becomes `sealed_secret` (same secret, so receivers keep verifying) and the plaintext
 * attribute is removed. An operator runs it once after deploying (admin
 * `webhooks:seal-secrets`); it is safe to run again, and to run while deliveries go on.
 * Why not on read: the delivery function may only decrypt, never encrypt.
 */
export async function sealLegacyWebhookSecrets(table: Table, sealer: SecretSealer): Promise<SealLegacySecretsResult> {
  const result: SealLegacySecretsResult = { sealed: [], skipped: [] };
  for await (const endpoints of legacyPlaintextEndpoints(table)) {
    for (const endpoint of endpoints) {
      const sealed = await sealer.seal(endpoint.secret!, endpointSecretContext({ merchantId: endpoint.merchant_id, endpointId: endpoint.id }));
      const outcome = await sealEndpointSecret(table, endpoint, sealed);
      (outcome === 'sealed' ? result.sealed : result.skipped).push(endpoint.id);
    }
  }
  return result;
}
