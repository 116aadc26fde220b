import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** API Gateway HTTP API (payload 2.0) in and out: the same shape on AWS and in the local adapter. */
export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent, context?: Context) => Promise<HttpResult>;

export const HttpMethod = { get: 'GET', post: 'POST', delete: 'DELETE' } as const;
export type HttpMethod = (typeof HttpMethod)[keyof typeof HttpMethod];

/** What a route handler answers; the pipeline serialises it. */
export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
