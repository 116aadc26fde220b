import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { createTable } from '../lib/table/client';
import { checkoutResponse } from './checkout';

const env = z
  .object({ TABLE_NAME: z.string().min(1, 'TABLE_NAME must name the DynamoDB table'), DYNAMODB_ENDPOINT: z.url().optional() })
  .parse(process.env);
const table = createTable(env.TABLE_NAME, env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {});

/** GET /checkout/{id}: public, no auth; shows only what the public invoice endpoint shows. */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  try {
    return await checkoutResponse(table, event.pathParameters?.id ?? '');
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', message: 'checkout page failed', error: (error as Error).name }));
    return { statusCode: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Something went wrong. Please reload the page.' };
  }
}
