import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { lazily, tableFromEnv } from '../lib/runtime/env';
import { powertoolsLog } from '../lib/runtime/log';
import { checkoutResponse } from './checkout';

const processDependencies = lazily(() => ({ table: tableFromEnv(), log: powertoolsLog('lightning-payments-checkout') }));

/** GET /checkout/{id}: public, no auth; shows only what the public invoice endpoint shows. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const { table, log } = processDependencies();
  try {
    return await checkoutResponse(table, event.pathParameters?.id ?? '');
  } catch (error) {
    log.error('checkout page failed', { error: (error as Error).name });
    return { statusCode: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Something went wrong. Please reload the page.' };
  }
}
