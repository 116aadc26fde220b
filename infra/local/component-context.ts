import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which deployed component (a Lambda function by its name or API route key, or the
 * node-bridge) the code running now stands for. The local composition roots set it around
 * each handler call, so an observer (the AWS-call recorder of the role test) can tell whose
 * role a call needs; the product code never reads it.
 */
const storage = new AsyncLocalStorage<string>();

export function asComponent<A extends unknown[], R>(component: string, fn: (...args: A) => R): (...args: A) => R {
  return (...args: A) => storage.run(component, () => fn(...args));
}

export function currentComponent(): string | undefined {
  return storage.getStore();
}
