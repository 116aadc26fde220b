import { UnsupportedMediaTypeError } from '../../lib/errors';
import { stateOf, type Middleware } from '../state';

// `application/json`, any case, with optional parameters such as `; charset=utf-8`.
const JSON_MEDIA_TYPE = /^application\/json\s*(;.*)?$/i;

/** A body must be JSON: any other Content-Type is 415; a missing header is taken as JSON. */
export function contentType(): Middleware {
  return {
    before(request) {
      const state = stateOf(request);
      if (state.bodyBytes === 0 && !state.bodyNotUtf8) return;
      const header = state.headers['content-type'];
      if (header === undefined || header.trim() === '') return;
      if (!JSON_MEDIA_TYPE.test(header.trim())) throw new UnsupportedMediaTypeError();
    },
  };
}
