export { createClient, type ClientOptions, type LightningPaymentsClient } from './client.js';
export { responseInfo } from './answers.js';
export { ApiError, ConnectionError, LightningPaymentsError, UnexpectedResponseError, type ResponseInfo } from './errors.js';
export { collect, paginate, type PageFetcher } from './pagination.js';
export type { CallOptions, PostOptions } from './resources/context.js';
export type { FetchLike, RetryOptions } from './transport.js';
export { verifyWebhook, WebhookVerificationError, WEBHOOK_EVENT_TYPES, type WebhookHeaders, type WebhookSignatureHeaders } from './webhooks.js';
export type * from './types.js';
export type { components, operations, paths, webhooks } from './schema.js';
