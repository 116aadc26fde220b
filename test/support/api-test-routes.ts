import { z } from 'zod';
import { AuthMode } from '../../functions/http/authenticate';
import { route, type AnyRoute } from '../../functions/http/pipeline';
import { created } from '../../functions/http/responses';
import { createTransferRoute } from '../../functions/transfers/create';
import { createWithdrawalRoute } from '../../functions/withdrawals/create';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Routes that exist only in tests, to drive the pipeline into states real routes reach rarely. */
export function testRoutes() {
  const latch = { entered: deferred(), release: deferred() };
  let failuresLeft = 0;
  let crashesAfterCommitLeft = 0;

  const routes: AnyRoute[] = [
    route({
      method: 'POST',
      path: '/v1/test/leak',
      operationId: 'testLeak',
      summary: 'throws an error full of secrets',
      tag: 'Test',
      auth: AuthMode.secret,
      body: z.strictObject({}),
      response: { status: 201, description: '' },
      async handler() {
        throw new Error('DynamoDB said: arn:aws:dynamodb:eu-west-1:123456789012:table/x; macaroon 0201036c6e64; at /var/task/index.js:1');
      },
    }),
    route({
      method: 'POST',
      path: '/v1/test/slow',
      operationId: 'testSlow',
      summary: 'waits for the test to let it finish',
      tag: 'Test',
      auth: AuthMode.secret,
      body: z.strictObject({ n: z.number().optional() }),
      response: { status: 201, description: '' },
      async handler({ body }) {
        latch.entered.resolve();
        await latch.release.promise;
        return created({ ok: true, n: body.n ?? null });
      },
    }),
    route({
      method: 'POST',
      path: '/v1/test/flaky',
      operationId: 'testFlaky',
      summary: 'fails with a 500 while failuresLeft > 0',
      tag: 'Test',
      auth: AuthMode.secret,
      body: z.strictObject({}),
      response: { status: 201, description: '' },
      async handler({ newId }) {
        if (failuresLeft > 0) {
          failuresLeft--;
          throw new Error('transient');
        }
        return created({ id: newId('tr') });
      },
    }),
    route({
      ...createTransferRoute,
      path: '/v1/test/transfer-then-crash',
      operationId: 'testTransferThenCrash',
      async handler(input, deps) {
        const response = await createTransferRoute.handler(input, deps);
        if (crashesAfterCommitLeft > 0) {
          crashesAfterCommitLeft--;
          // The money moved; the answer is lost (a timeout, a crashed container).
          throw new Error('crashed after commit');
        }
        return response;
      },
    }),
    route({
      ...createWithdrawalRoute,
      path: '/v1/test/withdraw-then-crash',
      operationId: 'testWithdrawThenCrash',
      async handler(input, deps) {
        const response = await createWithdrawalRoute.handler(input, deps);
        if (crashesAfterCommitLeft > 0) {
          crashesAfterCommitLeft--;
          throw new Error('crashed after commit');
        }
        return response;
      },
    }),
  ];

  return {
    routes,
    latch,
    resetLatch() {
      latch.entered = deferred();
      latch.release = deferred();
    },
    failNext(times: number) {
      failuresLeft = times;
    },
    crashAfterCommit(times: number) {
      crashesAfterCommitLeft = times;
    },
  };
}
