import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { MAX_ENTRIES_PER_PUT, type BusEntry, type EventBus, type PutEventsResult } from './event-bus';

/**
 * The EventBus interface over EventBridge. PutEvents can accept some entries and refuse
 * others (FailedEntryCount, and an ErrorCode on each refused entry, such as
 * ThrottlingException or InternalFailure): those come back in `failed` by index, so the
 * caller retries only them. A call refused as a whole (throttled beyond the SDK's own
 * retries, network) throws, and the caller retries the whole batch.
 */
export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async putEvents(entries: BusEntry[]): Promise<PutEventsResult> {
    if (entries.length === 0) return { failed: [] };
    if (entries.length > MAX_ENTRIES_PER_PUT) throw new RangeError(`PutEvents takes at most ${MAX_ENTRIES_PER_PUT} entries, got ${entries.length}`);
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: entries.map((entry) => ({
          EventBusName: this.eventBusName,
          Source: entry.source,
          DetailType: entry.detailType,
          Detail: JSON.stringify(entry.detail),
        })),
      }),
    );
    const resultEntries = result.Entries ?? [];
    const failed: PutEventsResult['failed'] = [];
    entries.forEach((_entry, index) => {
      const outcome = resultEntries[index];
      if (outcome?.ErrorCode) {
        failed.push({ index, errorCode: outcome.ErrorCode, errorMessage: outcome.ErrorMessage ?? '' });
      } else if (!outcome?.EventId) {
        // No event id and no error: never count an entry as published without proof.
        failed.push({ index, errorCode: 'MissingEventId', errorMessage: 'PutEvents returned no result for this entry' });
      }
    });
    return { failed };
  }
}
