/**
 * Named types for the API's objects, requests and list filters, all taken from the
 * generated schema: a change to the OpenAPI document changes them, and code that no longer
 * fits stops compiling.
 */
import type { components, operations, webhooks } from './schema.js';

type Schemas = components['schemas'];

export type Account = Schemas['Account'];
export type LedgerEntry = Schemas['LedgerEntry'];
export type Invoice = Schemas['Invoice'];
export type PublicInvoice = Schemas['PublicInvoice'];
export type Withdrawal = Schemas['Withdrawal'];
export type Transfer = Schemas['Transfer'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type CreatedWebhookEndpoint = Schemas['CreatedWebhookEndpoint'];
export type DeletedWebhookEndpoint = Schemas['DeletedWebhookEndpoint'];
export type Event = Schemas['Event'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type Redelivery = Schemas['Redelivery'];
export type OpenApiDocument = Schemas['OpenApiDocument'];

export type CreateAccountRequest = Schemas['CreateAccountRequest'];
export type CreateInvoiceRequest = Schemas['CreateInvoiceRequest'];
export type CreateWithdrawalRequest = Schemas['CreateWithdrawalRequest'];
export type CreateTransferRequest = Schemas['CreateTransferRequest'];
export type CreateWebhookEndpointRequest = Schemas['CreateWebhookEndpointRequest'];
export type RedeliverEventRequest = Schemas['RedeliverEventRequest'];

/** The `error` member of every non-2xx answer. */
export type ErrorBody = Schemas['Error']['error'];
/** One per HTTP status family (`not_found`, `unprocessable`, ...), as the document enumerates them. */
export type ErrorType = ErrorBody['type'];

/** The query parameters an operation takes (filters, `limit`, `cursor`). */
export type QueryOf<Operation extends keyof operations> = NonNullable<operations[Operation]['parameters']['query']>;

export type ListAccountsQuery = QueryOf<'listAccounts'>;
export type ListLedgerQuery = QueryOf<'listAccountLedger'>;
export type ListInvoicesQuery = QueryOf<'listInvoices'>;
export type ListWithdrawalsQuery = QueryOf<'listWithdrawals'>;
export type ListTransfersQuery = QueryOf<'listTransfers'>;
export type ListWebhookEndpointsQuery = QueryOf<'listWebhookEndpoints'>;
export type ListEventsQuery = QueryOf<'listEvents'>;
export type ListDeliveriesQuery = QueryOf<'listEventDeliveries'>;

/** A page of a list: newest first; `next_cursor` fetches the following page while `has_more`. */
export interface Page<Item> {
  data: Item[];
  has_more: boolean;
  next_cursor: string | null;
}

/** The body of each webhook the document declares, by event type. */
export type WebhookEventsByType = {
  [Type in keyof webhooks]: webhooks[Type]['post']['requestBody']['content']['application/json'];
};
export type WebhookEventType = keyof WebhookEventsByType;
/** A verified webhook: narrow it on `type` to get the object's own type in `data.object`. */
export type WebhookEvent = WebhookEventsByType[WebhookEventType];
