import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: string;
  /** What standardwebhooks' Webhook.verify returned (the parsed payload), when it verified. */
  payload: unknown;
  /** Why verification failed, if it did. */
  verifyError: string | undefined;
}

export type Reply = { status: number; headers?: Record<string, string> } | { hang: true };

/**
 * A merchant's webhook receiver on 127.0.0.1: it verifies every delivery with the
 * standardwebhooks library (not with our code) and answers what the test tells it to.
 */
export interface Receiver {
  url: string;
  port: number;
  /** The endpoint's secret, set once it exists. */
  secret: string | undefined;
  reply: (request: ReceivedDelivery, index: number) => Reply;
  received: ReceivedDelivery[];
  close(): Promise<void>;
}

export async function startReceiver(reply: Receiver['reply'] = () => ({ status: 200 })): Promise<Receiver> {
  const receiver = { secret: undefined, reply, received: [] } as unknown as Receiver;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery: ReceivedDelivery = { headers: request.headers, body, payload: undefined, verifyError: undefined };
      try {
        if (receiver.secret === undefined) throw new Error('the receiver has no secret');
        delivery.payload = new Webhook(receiver.secret).verify(body, request.headers as Record<string, string>);
      } catch (error) {
        delivery.verifyError = (error as Error).message;
      }
      receiver.received.push(delivery);
      const answer = receiver.reply(delivery, receiver.received.length - 1);
      if ('hang' in answer) return;
      response.writeHead(answer.status, answer.headers ?? {});
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.port = port;
  receiver.url = `http://127.0.0.1:${port}/hooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** A port nothing listens on (bound, then closed), for connection-refused cases. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
