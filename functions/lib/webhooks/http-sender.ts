import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, hostOf, parseWebhookUrl, systemResolver, WebhookTargetRefusedError, type Resolver, type WebhookTargetPolicy } from './ssrf-guard';

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  policy: WebhookTargetPolicy;
  resolve?: Resolver;
}

/** What came back: an HTTP answer (any status), or no answer at all. */
export type WebhookReply =
  | { kind: 'response'; status: number; retryAfter: string | undefined }
  | { kind: 'error'; error: string };

export type WebhookSender = (post: WebhookPost) => Promise<WebhookReply>;

const USER_AGENT = 'lightning-payments-webhooks/1';

/**
 * One POST, by node:http(s) so that we, not a library, decide where it connects: the URL is
 * checked again, the socket resolves through guardedLookup (it connects only to addresses
 * that passed), redirects are never followed (node never follows them), and the whole
 * exchange up to the response status has `timeoutMs`. The response body is not read.
 * Never throws; errors come back as short texts without the URL (it may carry tokens).
 */
export const postWebhook: WebhookSender = (post) => {
  let url: URL;
  try {
    url = parseWebhookUrl(post.url, post.policy);
  } catch (error) {
    return Promise.resolve({ kind: 'error', error: error instanceof WebhookTargetRefusedError ? error.message : 'url is not valid' });
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<WebhookReply>((resolve) => {
    let settled = false;
    const finish = (reply: WebhookReply) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(reply);
    };
    const req = request(
      {
        protocol: url.protocol,
        hostname: hostOf(url),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent: false,
        lookup: guardedLookup(post.policy, post.resolve ?? systemResolver),
        headers: {
          ...post.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(post.body)),
          'user-agent': USER_AGENT,
        },
      },
      (response: IncomingMessage) => {
        const retryAfter = response.headers['retry-after'];
        finish({ kind: 'response', status: response.statusCode ?? 0, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter });
        // The status is all we need: drop the body and the connection (keep-alive is off).
        response.on('error', () => undefined);
        response.destroy();
        req.destroy();
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: 'error', error: `timed out after ${post.timeoutMs} ms` });
      req.destroy();
    }, post.timeoutMs);
    req.on('error', (error) => finish({ kind: 'error', error: describeError(error) }));
    req.end(post.body);
  });
};

function describeError(error: Error): string {
  if (error instanceof WebhookTargetRefusedError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
      return `DNS lookup failed (${code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable (${code})`;
    case 'ETIMEDOUT':
      return 'connection timed out';
    default:
      if (code && /CERT|TLS|SSL|SELF_SIGNED|ALTNAME/.test(code)) return `TLS error (${code})`;
      return `request failed (${code ?? error.name})`;
  }
}
