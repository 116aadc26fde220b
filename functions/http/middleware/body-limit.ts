import { PayloadTooLargeError } from '../../lib/errors';
import { stateOf, type Middleware } from '../state';

export const MAX_BODY_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Refuses bodies over the limit (413), measured in bytes as they arrived: API Gateway hands
 * binary bodies over in base64, which is a third larger than what the client sent.
 */
export function bodyLimit(options: { maxBytes?: number } = {}): Middleware {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  return {
    before(request) {
      const state = stateOf(request);
      const { body, isBase64Encoded } = request.event;
      if (body === undefined || body === null || body === '') return;
      const bytes = isBase64Encoded ? Buffer.from(body, 'base64') : undefined;
      const byteLength = bytes ? bytes.length : Buffer.byteLength(body, 'utf8');
      if (byteLength > maxBytes) throw new PayloadTooLargeError();
      state.bodyBytes = byteLength;
      if (!bytes) {
        state.bodyText = body;
        return;
      }
      try {
        state.bodyText = utf8.decode(bytes);
      } catch {
        state.bodyNotUtf8 = true;
      }
    },
  };
}
