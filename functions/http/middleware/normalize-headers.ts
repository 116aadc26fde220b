import { stateOf, type Middleware } from '../state';

/** Header names to lower case, so `Content-Type` and `content-type` are one header. */
export function normalizeHeaders(): Middleware {
  return {
    before(request) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.event.headers ?? {})) {
        if (value === undefined) continue;
        const lower = name.toLowerCase();
        // Repeated headers are joined with commas, as API Gateway does.
        headers[lower] = headers[lower] === undefined ? value : `${headers[lower]},${value}`;
      }
      stateOf(request).headers = headers;
      request.event.headers = headers;
    },
  };
}
