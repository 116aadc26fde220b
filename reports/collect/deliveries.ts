import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../items';

export const DeliveryStatus = { succeeded: 'succeeded', failed: 'failed' } as const;

/** The latest failed attempt of one (event, endpoint) delivery. */
export interface FailedDelivery {
  eventId: string;
  endpointId: string;
  attempt: number;
  failedAttempts: number;
  attemptedAt: string | null;
  responseStatus: number | null;
  error: string | null;
  merchantId: string | null;
}

/**
 * Finds deliveries whose latest attempt failed. State is kept only for deliveries with a
 * failed attempt, plus successes after attempt 1: a success at attempt 1 (nearly all of
 * them) cannot follow a failure, because attempts are numbered in order and a delivery is
 * only retried after a failure. Memory: O(troubled deliveries), not O(deliveries).
 */
export class DeliveryBook {
  private readonly failed = new Map<string, FailedDelivery>();
  private readonly succeededAfterRetry = new Map<string, number>();
  private readonly endpointMerchants = new Map<string, string | null>();
  attempts = 0;

  onEndpoint(endpoint: WebhookEndpointRecord): void {
    this.endpointMerchants.set(endpoint.id, endpoint.merchant_id);
  }

  onDelivery(delivery: WebhookDeliveryRecord): void {
    this.attempts++;
    const key = `${delivery.event_id} ${delivery.endpoint_id}`;
    if (delivery.status === DeliveryStatus.succeeded) {
      if (delivery.attempt > 1 && (this.succeededAfterRetry.get(key) ?? 0) < delivery.attempt) this.succeededAfterRetry.set(key, delivery.attempt);
      return;
    }
    const known = this.failed.get(key);
    if (known && known.attempt > delivery.attempt) {
      known.failedAttempts++;
      return;
    }
    this.failed.set(key, {
      eventId: delivery.event_id,
      endpointId: delivery.endpoint_id,
      attempt: delivery.attempt,
      failedAttempts: (known?.failedAttempts ?? 0) + 1,
      attemptedAt: delivery.attempted_at,
      responseStatus: delivery.response_status,
      error: delivery.error,
      merchantId: delivery.merchant_id,
    });
  }

  /** Deliveries whose last attempt failed, with their merchant resolved through the endpoint. */
  open(merchantFilter: string | undefined): FailedDelivery[] {
    const open: FailedDelivery[] = [];
    for (const [key, failed] of this.failed) {
      if ((this.succeededAfterRetry.get(key) ?? 0) > failed.attempt) continue;
      const merchantId = failed.merchantId ?? this.endpointMerchants.get(failed.endpointId) ?? null;
      if (merchantFilter !== undefined && merchantId !== merchantFilter) continue;
      open.push({ ...failed, merchantId });
    }
    return open.sort((a, b) => ((a.attemptedAt ?? '') < (b.attemptedAt ?? '') ? -1 : (a.attemptedAt ?? '') > (b.attemptedAt ?? '') ? 1 : 0));
  }
}
