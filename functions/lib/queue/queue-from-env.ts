import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { parseEnv, queueUrlVariable } from '../runtime/env';
import { SqsQueue } from './sqs-queue';

// Kept apart from ../runtime/env, which every function imports, so that only the functions
// that use a queue load the SQS client at cold start (issue 19).

/** The SQS queue whose URL `variable` holds; `what` names it in the error ("the payout queue"). */
export function queueFromEnv(variable: string, what: string, env: NodeJS.ProcessEnv = process.env, client: SQSClient = new SQSClient({})): SqsQueue {
  const vars = parseEnv(z.object({ [variable]: queueUrlVariable(variable, what) }), env);
  return new SqsQueue(client, vars[variable]!);
}

/** The DLQ of a bus consumer's queue, where records that can never succeed are parked with their data. */
export function deadLettersFromEnv(env: NodeJS.ProcessEnv = process.env): SqsQueue {
  return queueFromEnv('DEAD_LETTER_QUEUE_URL', "the consumer queue's DLQ", env);
}
