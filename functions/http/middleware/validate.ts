import type { z } from 'zod';
import { issuesToError, type InputSource } from '../validation';
import { stateOf, type Middleware } from '../state';

export interface InputSchemas {
  path?: z.ZodType | undefined;
  query?: z.ZodType | undefined;
  body?: z.ZodType | undefined;
}

/** Path, query and body through the route's zod schemas; the route sees only what passed. */
export function validate(schemas: InputSchemas): Middleware {
  return {
    before(request) {
      const state = stateOf(request);
      const sources: Array<[InputSource, z.ZodType | undefined, unknown]> = [
        ['path', schemas.path, request.event.pathParameters ?? {}],
        ['query', schemas.query, request.event.queryStringParameters ?? {}],
        ['body', schemas.body, state.json],
      ];
      for (const [source, schema, value] of sources) {
        if (!schema) continue;
        const parsed = schema.safeParse(value);
        if (!parsed.success) throw issuesToError(parsed.error.issues, source, value);
        state.input[source] = parsed.data;
      }
    },
  };
}
