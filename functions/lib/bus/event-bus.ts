/**
 * The small interface in front of the event bus. EventBridge implements it in AWS; the
 * local stack has a stand-in that matches rules and hands events to their targets.
 */
export interface BusEntry {
  source: string;
  detailType: string;
  /** JSON-serialisable; validated by the consumer with the schema in bus-events.ts. */
  detail: unknown;
}

export interface PutEventsResult {
  /** The entries that were not accepted, by their index in the request: retry only these. */
  failed: Array<{ index: number; errorCode: string; errorMessage: string }>;
}

export interface EventBus {
  /** At most 10 entries per call, as EventBridge allows. */
  putEvents(entries: BusEntry[]): Promise<PutEventsResult>;
}

export const MAX_ENTRIES_PER_PUT = 10;
