import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { atPointer, resolveRef, type Json } from './document';

/**
 * Validates values against schemas of the document, named by JSON pointer (draft 2020-12,
 * with formats): `$ref`s resolve inside the document, as a client's generator would see them.
 */
export class DocumentValidator {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: Json) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(document, 'openapi.json');
  }

  /** Why `value` does not match the schema at `pointer`, or undefined when it does. */
  errors(pointer: string, value: unknown): string | undefined {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate(value) ? undefined : this.ajv.errorsText(validate.errors, { dataVar: 'value' });
  }

  /** The schema at `pointer`, its `$ref`s followed. */
  schemaAt(pointer: string): Json {
    return resolveRef(this.document, atPointer(this.document, pointer));
  }

  valid(pointer: string, value: unknown): boolean {
    return this.errors(pointer, value) === undefined;
  }
}
