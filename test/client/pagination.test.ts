import { describe, expect, it } from 'vitest';
import { collect, createClient, LightningPaymentsError, paginate } from '../../clients/typescript/src/index.js';
import { json, stubFetch } from './stub-fetch';

const baseUrl = 'http://api.test';

/** A list endpoint over `ids`, newest first, with the API's cursor contract (the cursor is the last id served). */
function listOf(ids: string[]) {
  return stubFetch((request) => {
    const limit = Number(request.url.searchParams.get('limit') ?? 20);
    const cursor = request.url.searchParams.get('cursor');
    const start = cursor === null ? 0 : ids.indexOf(cursor) + 1;
    const data = ids.slice(start, start + limit).map((id) => ({ id }));
    const has_more = start + limit < ids.length;
    return json(200, { data, has_more, next_cursor: has_more ? data.at(-1)!.id : null });
  });
}

describe('typed client: pagination', () => {
  it('listAll yields every item across pages, in order, following next_cursor with the same filters', async () => {
    const ids = Array.from({ length: 7 }, (_, index) => `inv_${index}`);
    const stub = listOf(ids);
    const client = createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch });

    const all = await collect(client.invoices.listAll({ limit: 3, status: 'paid' }));

    expect(all.map((item) => item.id)).toEqual(ids);
    expect(stub.seen.map((request) => request.url.search)).toEqual(['?limit=3&status=paid', '?limit=3&status=paid&cursor=inv_2', '?limit=3&status=paid&cursor=inv_5']);
  });

  it('fetches a page only when the previous one is used up, and no more after a break', async () => {
    const stub = listOf(Array.from({ length: 10 }, (_, index) => `led_${index}`));
    const client = createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch });

    const seenIds: string[] = [];
    for await (const entry of client.accounts.listAllLedger('acct_1', { limit: 2 })) {
      seenIds.push(entry.id);
      if (seenIds.length === 3) break;
    }

    expect(seenIds).toEqual(['led_0', 'led_1', 'led_2']);
    expect(stub.seen).toHaveLength(2);
    expect(stub.seen[0]!.url.pathname).toBe('/v1/accounts/acct_1/ledger');
  });

  it('ends on an empty list after one request', async () => {
    const stub = listOf([]);
    expect(await collect(createClient({ baseUrl, apiKey: 'sk_test', fetch: stub.fetch }).transfers.listAll())).toEqual([]);
    expect(stub.seen).toHaveLength(1);
  });

  it('stops instead of looping when a page hands back the cursor it was asked with', async () => {
    const pages = paginate(async (cursor) => ({ data: [cursor ?? 'first'], has_more: true, next_cursor: 'same' }));
    await expect(collect(pages)).rejects.toBeInstanceOf(LightningPaymentsError);
  });
});
