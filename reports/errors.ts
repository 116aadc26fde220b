/** Input the report cannot read: a missing or corrupt export, a malformed item, an unreachable table. Exit code 3. */
export class InputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InputError';
  }
}
