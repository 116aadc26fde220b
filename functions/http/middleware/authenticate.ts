import type { Table } from '../../lib/table/client';
import { authenticate, AuthMode } from '../authenticate';
import { stateOf, type Middleware } from '../state';

/** Authorization: Bearer <key>, checked against the route's mode (401, 403). */
export function authentication(options: { mode: AuthMode; table: () => Table }): Middleware {
  return {
    async before(request) {
      if (options.mode === AuthMode.public) return;
      const state = stateOf(request);
      state.auth = await authenticate(options.table(), state.headers.authorization, options.mode);
    },
  };
}
