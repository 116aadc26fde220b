/**
 * Observes every AWS SDK call this process makes, whatever client made it: `send` of the
 * Smithy client class every v3 client (DynamoDB, its document client, Streams, SQS,
 * EventBridge) inherits from is wrapped once. Calls still go to DynamoDB Local unchanged;
 * when a listener asks for it, a middleware added to each DynamoDB client's stack (once per
 * stack) makes the commands that support it ask for ReturnConsumedCapacity=INDEXES (unless
 * the caller already chose), so the answer says what the call consumed, table and indexes.
 * The middleware copies the input: the caller's command object is left as it was.
 *
 * Used by `npm run cost` in the bench process and, through bench/sdk-recorder-preload.ts,
 * in the node-bridge child; and by the role test's recorder (test/support/aws-call-recorder.ts).
 * Never loaded by the product.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface SdkCall {
  /** dynamodb | dynamodb-streams | sqs | eventbridge | secrets-manager | ... */
  service: string;
  /** The API operation: GetItem, TransactWriteItems, GetRecords, ... */
  operation: string;
  input: Record<string, any>;
  output: Record<string, any> | undefined;
  /** The error's name when the call failed. */
  error: string | undefined;
  startedAtMs: number;
  durationMs: number;
}

type Listener = (call: SdkCall) => void;

const CAPACITY_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
]);

// lib-dynamodb's commands are named after the operations they marshal for.
const DOCUMENT_COMMANDS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactWriteCommand: 'TransactWriteItems',
  TransactGetCommand: 'TransactGetItems',
};

function serviceOf(client: object): string {
  const name = client.constructor.name;
  if (name.startsWith('DynamoDBStreams')) return 'dynamodb-streams';
  if (name.startsWith('DynamoDB')) return 'dynamodb';
  if (name.startsWith('SQS')) return 'sqs';
  if (name.startsWith('EventBridge')) return 'eventbridge';
  if (name.startsWith('SecretsManager')) return 'secrets-manager';
  return name.replace(/Client$/, '').toLowerCase();
}

function operationOf(command: object): string {
  const name = command.constructor.name;
  return DOCUMENT_COMMANDS[name] ?? name.replace(/Command$/, '');
}

const listeners = new Set<Listener>();
let capacityWanted = 0;
let installed = false;

/**
 * Starts calling `listener` with every SDK call; returns the function that stops it. With
 * `consumedCapacity`, DynamoDB calls ask for ReturnConsumedCapacity=INDEXES while it listens.
 */
export function recordSdkCalls(listener: Listener, options: { consumedCapacity?: boolean } = {}): () => void {
  if (!installed) install();
  listeners.add(listener);
  if (options.consumedCapacity) capacityWanted++;
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    listeners.delete(listener);
    if (options.consumedCapacity) capacityWanted--;
  };
}

interface MiddlewareStackLike {
  add(middleware: (next: (args: any) => Promise<any>, context: { commandName?: string }) => (args: any) => Promise<any>, options: { step: 'initialize'; name: string; priority: 'high' }): void;
}
/** Stacks that carry the middleware (a document client shares its DynamoDBClient's stack). */
const stacksWithMiddleware = new WeakSet<object>();

/**
 * Asks for ReturnConsumedCapacity=INDEXES on every DynamoDB command that supports it while a
 * listener wants capacity. It runs at the initialize step, before a document client's
 * marshalling (which passes the top-level option through), so raw and document commands both get it.
 */
function addCapacityMiddleware(client: { middlewareStack?: MiddlewareStackLike }): void {
  const stack = client.middlewareStack;
  if (!stack || stacksWithMiddleware.has(stack)) return;
  stacksWithMiddleware.add(stack);
  stack.add(
    (next, context) => async (args: { input?: Record<string, unknown> }) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      if (capacityWanted > 0 && CAPACITY_OPERATIONS.has(operation) && args.input && args.input.ReturnConsumedCapacity === undefined) {
        return next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'INDEXES' } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchReturnConsumedCapacity', priority: 'high' },
  );
}

function install(): void {
  installed = true;
  const smithyClient = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (...args: any[]) => any };
  const originalSend = smithyClient.send;
  smithyClient.send = function send(this: object, command: { input?: Record<string, any> }, ...rest: any[]) {
    // Callback style is not used in this repository; pass it through untouched.
    if (rest.some((argument) => typeof argument === 'function') || listeners.size === 0) return originalSend.call(this, command, ...rest);
    const service = serviceOf(this);
    const operation = operationOf(command);
    if (service === 'dynamodb') addCapacityMiddleware(this as { middlewareStack?: MiddlewareStackLike });
    const startedAtMs = performance.now();
    const notify = (output: Record<string, any> | undefined, error: string | undefined) => {
      const call: SdkCall = { service, operation, input: command.input ?? {}, output, error, startedAtMs, durationMs: performance.now() - startedAtMs };
      for (const listener of listeners) {
        try {
          listener(call);
        } catch {
          // An observer never changes what the caller sees.
        }
      }
    };
    const pending = originalSend.call(this, command, ...rest) as Promise<Record<string, any>>;
    return pending.then(
      (output) => {
        notify(output, undefined);
        return output;
      },
      (error: unknown) => {
        notify(undefined, (error as Error)?.name ?? 'Error');
        throw error;
      },
    );
  };
}
