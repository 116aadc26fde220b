import { describe, expect, it } from 'vitest';
import { authenticate, AuthMode } from '../../functions/http/authenticate';
import { AuthenticationError } from '../../functions/lib/errors';
import { ApiKeyKind } from '../../functions/lib/merchants/api-key';
import { createMerchant } from '../../functions/lib/merchants/create-merchant';
import { rotateApiKey } from '../../functions/lib/merchants/rotate-key';
import { laggingReplica } from '../support/lagging-replica';
import { useTestTable } from '../support/table';

describe('key checks read the key strongly consistently', () => {
  const table = useTestTable();

  it('a rotated key answers 401 the moment the rotation returns, every time, even from a lagging replica', async () => {
    const replica = laggingReplica(table);
    const shop = await createMerchant(table, { name: 'Rotating' });
    let secretKey = shop.secret_key;
    for (let rotation = 0; rotation < 10; rotation += 1) {
      // The key works (and a lagging replica has now seen it live)...
      await expect(authenticate(replica, `Bearer ${secretKey}`, AuthMode.secret)).resolves.toMatchObject({ merchantId: shop.merchant_id });
      const rotated = await rotateApiKey(table, { merchantId: shop.merchant_id, kind: ApiKeyKind.secret });
      // ...and is refused right after the rotation; the new one works at once.
      await expect(authenticate(replica, `Bearer ${secretKey}`, AuthMode.secret)).rejects.toBeInstanceOf(AuthenticationError);
      await expect(authenticate(replica, `Bearer ${rotated}`, AuthMode.invoice)).resolves.toMatchObject({ merchantId: shop.merchant_id });
      secretKey = rotated;
    }
  });
});
