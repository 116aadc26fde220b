import { InvalidJsonError, ValidationError } from '../../lib/errors';
import { stateOf, type Middleware } from '../state';

/**
 * Parses the body of a POST (an empty one counts as `{}`). Other methods take no body and
 * their body, if any, is ignored. A `__proto__` key anywhere is refused rather than
 * silently dropped or, worse, merged into something's prototype.
 */
export function jsonBody(options: { parse: boolean }): Middleware {
  return {
    before(request) {
      if (!options.parse) return;
      const state = stateOf(request);
      if (state.bodyNotUtf8) throw new InvalidJsonError('The request body is not valid UTF-8');
      if (state.bodyText === undefined || state.bodyText.trim() === '') {
        state.json = {};
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(state.bodyText);
      } catch {
        throw new InvalidJsonError();
      }
      const poisoned = findProtoKey(json);
      if (poisoned !== undefined) throw new ValidationError(`Field name not allowed: __proto__`, { param: poisoned });
      state.json = json;
    },
  };
}

/** Walks the value without recursion (a 64 KiB body can nest 30,000 levels deep). */
function findProtoKey(root: unknown): string | undefined {
  const stack: Array<{ value: unknown; path: string }> = [{ value: root, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((element, index) => stack.push({ value: element, path: path ? `${path}.${index}` : String(index) }));
      continue;
    }
    for (const key of Object.keys(value)) {
      const child = path ? `${path}.${key}` : key;
      if (key === '__proto__') return child;
      stack.push({ value: (value as Record<string, unknown>)[key], path: child });
    }
  }
  return undefined;
}
