import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../../../functions/http/middleware/body-limit';
import type { Json, OperationSpec, ParameterSpec } from './document';
import { parameterText, parameterValue, sendableHeaderValue } from './parameter-text';
import { valuesOf, type SchemaContext } from './schema-values';
import { violationsOf } from './schema-violations';
import type { DocumentValidator } from './validator';

// Requests for one operation, as the document describes it: valid ones (every parameter and
// the body as their schemas say, a key of an allowed scheme), and invalid ones that break
// exactly one rule of the document, saying which.

/** Who calls: the fuzz shop's keys, the other merchant's secret key, or no usable key. */
export type Caller = 'shopSecret' | 'shopInvoice' | 'otherSecret' | 'none' | 'unknownKey' | 'notBearer';

export interface PlannedRequest {
  operationId: string;
  method: string;
  /** Path and query string, encoded. */
  target: string;
  caller: Caller;
  headers: Record<string, string>;
  /** A string is sent as its UTF-8 bytes. */
  body?: string | number[];
  /** The rule of the document this request breaks; undefined for a valid request. */
  invalid?: string;
  /** Sent twice with its Idempotency-Key: the retry a client makes when an answer was lost. */
  retried?: boolean;
}

export interface PlanContext extends SchemaContext {
  validator: DocumentValidator;
  /** The security scheme a caller's key belongs to (undefined: no valid key). */
  schemeOf(caller: Caller): string | undefined;
}

interface Parts {
  caller: Caller;
  pathValues: Record<string, string>;
  query: Array<[string, string]>;
  headerValues: Record<string, string>;
  body?: string | number[];
  contentType?: string;
}

const KEYED_CALLERS: Caller[] = ['shopSecret', 'shopInvoice', 'otherSecret'];
const JSON_TYPES = ['application/json', 'application/json; charset=utf-8'];
const OTHER_TYPES = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/jsonp', 'multipart/form-data; boundary=x'];
const BROKEN_JSON = ['{', '{"a":1,}', "{'amount_msat':1000}", 'nul', '[1,2', '{"amount_msat":}', '{"a":1}}', 'undefined', '\u0000'];
/** `{"":"ÿ"}` with the ÿ as a lone Latin-1 byte: not UTF-8. */
const NOT_UTF8 = [0x7b, 0x22, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d];
/** The header whose repeats the document promises to answer with the first answer. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export function requestsFor(operation: OperationSpec, context: PlanContext): fc.Arbitrary<PlannedRequest> {
  const valid = validParts(operation, context);
  const invalid = invalidVariants(operation, context, valid);
  const plans = fc.oneof(
    { arbitrary: valid.map((parts) => ({ parts, invalid: undefined as string | undefined })), weight: 3 },
    ...(invalid.length > 0 ? [{ arbitrary: fc.oneof(...invalid), weight: 2 }] : []),
  );
  const retried = parametersIn(operation, 'header').some((parameter) => parameter.name === IDEMPOTENCY_HEADER) ? fc.boolean() : fc.constant(false);
  return fc.tuple(plans, retried).map(([{ parts, invalid: why }, retry]) => toRequest(operation, parts, why, retry && parts.headerValues[IDEMPOTENCY_HEADER] !== undefined));
}

function callersOf(operation: OperationSpec, context: PlanContext): { allowed: Caller[]; refused: Array<{ caller: Caller; why: string }> } {
  if (operation.schemes.length === 0) return { allowed: ['none', 'shopSecret'], refused: [] };
  const allowed = KEYED_CALLERS.filter((caller) => operation.schemes.includes(context.schemeOf(caller) ?? ''));
  const refused: Array<{ caller: Caller; why: string }> = [
    { caller: 'none', why: 'no API key' },
    { caller: 'unknownKey', why: 'an unknown API key' },
    { caller: 'notBearer', why: 'an Authorization header that is no bearer key' },
    ...KEYED_CALLERS.filter((caller) => !allowed.includes(caller)).map((caller) => ({ caller, why: `a key of scheme ${context.schemeOf(caller)}, not one of ${operation.schemes.join(', ')}` })),
  ];
  return { allowed, refused };
}

const parametersIn = (operation: OperationSpec, where: ParameterSpec['in']) => operation.parameters.filter((parameter) => parameter.in === where);

function validText(parameter: ParameterSpec, context: PlanContext): fc.Arbitrary<string> {
  return valuesOf(parameter.schema, context, parameter.name)
    .map(parameterText)
    .filter((text) => (parameter.in !== 'header' || sendableHeaderValue(text)) && context.validator.valid(parameter.pointer, parameterValue(text, parameter.schema)));
}

function invalidText(parameter: ParameterSpec, context: PlanContext): fc.Arbitrary<{ text: string; why: string }> {
  return violationsOf(parameter.schema, context)
    .map(({ why, value }) => ({ why: `${parameter.in} parameter ${parameter.name}: ${why}`, text: parameterText(value) }))
    .filter(({ text }) => (parameter.in !== 'header' || sendableHeaderValue(text)) && !context.validator.valid(parameter.pointer, parameterValue(text, parameter.schema)));
}

function validParts(operation: OperationSpec, context: PlanContext): fc.Arbitrary<Parts> {
  const { allowed } = callersOf(operation, context);
  const pathValues = fc.record(Object.fromEntries(parametersIn(operation, 'path').map((parameter) => [parameter.name, validText(parameter, context)])));
  const optional = (parameter: ParameterSpec) => (parameter.required ? validText(parameter, context) : fc.option(validText(parameter, context), { nil: undefined, freq: 2 }));
  const query = fc
    .tuple(...parametersIn(operation, 'query').map((parameter) => optional(parameter).map((text) => [parameter.name, text] as const)))
    .map((pairs) => pairs.filter((pair): pair is [string, string] => pair[1] !== undefined));
  const headerValues = fc
    .tuple(...parametersIn(operation, 'header').map((parameter) => optional(parameter).map((text) => [parameter.name, text] as const)))
    .map((pairs) => Object.fromEntries(pairs.filter(([, text]) => text !== undefined)) as Record<string, string>);
  const body = operation.body ? validBody(operation.body.pointer, operation.body.schema, context) : fc.constant(undefined);
  const contentType = fc.constantFrom<string | undefined>(...JSON_TYPES, undefined);
  // Mostly the fuzz shop, whose ids fill the pools; the other merchant now and then.
  const caller = fc.oneof(...allowed.map((kind) => ({ arbitrary: fc.constant(kind), weight: kind === 'otherSecret' ? 1 : kind === 'shopInvoice' ? 2 : 4 })));
  return fc.record({ caller, pathValues, query, headerValues, body, contentType });
}

function validBody(pointer: string, schema: Json, context: PlanContext): fc.Arbitrary<string | undefined> {
  const document = valuesOf(schema, context).filter((value) => context.validator.valid(pointer, value));
  // The body is optional (`requestBody.required: false`): none at all is a valid request too.
  return fc.oneof({ arbitrary: document.map((value) => JSON.stringify(value)), weight: 9 }, { arbitrary: fc.constant(undefined), weight: 1 });
}

type Variant = fc.Arbitrary<{ parts: Parts; invalid: string }>;

function invalidVariants(operation: OperationSpec, context: PlanContext, valid: fc.Arbitrary<Parts>): Variant[] {
  const variants: Variant[] = [];
  const broken = <T>(change: fc.Arbitrary<T>, apply: (parts: Parts, change: T) => { parts: Parts; invalid: string }): Variant =>
    fc.tuple(valid, change).map(([parts, value]) => apply(parts, value));

  const { refused } = callersOf(operation, context);
  if (refused.length > 0) variants.push(broken(fc.constantFrom(...refused), (parts, { caller, why }) => ({ parts: { ...parts, caller }, invalid: why })));

  if (operation.body) {
    const { pointer, schema } = operation.body;
    const brokenBody = violationsOf(schema, context).filter(({ value }) => !context.validator.valid(pointer, value));
    variants.push(broken(brokenBody, (parts, { why, value }) => ({ parts: { ...parts, body: JSON.stringify(value) }, invalid: `body: ${why}` })));
    const notJson = fc.oneof(fc.constantFrom(...BROKEN_JSON), fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim() !== '' && !parses(text)));
    variants.push(broken(notJson, (parts, text) => ({ parts: { ...parts, body: text }, invalid: 'a body that is not JSON' })));
    variants.push(broken(fc.constant(NOT_UTF8), (parts, bytes) => ({ parts: { ...parts, body: bytes }, invalid: 'a body that is not UTF-8' })));
    const someBody = validBody(pointer, schema, context).map((body) => body ?? '{}');
    variants.push(
      broken(fc.tuple(someBody, fc.constantFrom(...OTHER_TYPES)), (parts, [body, contentType]) => ({ parts: { ...parts, body, contentType }, invalid: `a body of type ${contentType}` })),
    );
    // Valid JSON, valid body, padded with whitespace past the limit the document states.
    variants.push(
      broken(someBody, (parts, body) => ({ parts: { ...parts, body: body + ' '.repeat(MAX_BODY_BYTES + 1 - Buffer.byteLength(body)) }, invalid: `a body over ${MAX_BODY_BYTES} bytes` })),
    );
  }

  for (const parameter of operation.parameters) {
    variants.push(
      broken(invalidText(parameter, context), (parts, { text, why }) => {
        if (parameter.in === 'path') return { parts: { ...parts, pathValues: { ...parts.pathValues, [parameter.name]: text } }, invalid: why };
        if (parameter.in === 'header') return { parts: { ...parts, headerValues: { ...parts.headerValues, [parameter.name]: text } }, invalid: why };
        return { parts: { ...parts, query: [...parts.query.filter(([name]) => name !== parameter.name), [parameter.name, text]] }, invalid: why };
      }),
    );
  }
  return variants;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function toRequest(operation: OperationSpec, parts: Parts, invalid: string | undefined, retried: boolean): PlannedRequest {
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(parts.pathValues[name] ?? ''));
  const query = parts.query.map(([name, text]) => `${encodeURIComponent(name)}=${encodeURIComponent(text)}`).join('&');
  const headers: Record<string, string> = { ...parts.headerValues };
  if (parts.body !== undefined && parts.contentType !== undefined) headers['content-type'] = parts.contentType;
  return {
    operationId: operation.operationId,
    method: operation.method,
    target: query ? `${path}?${query}` : path,
    caller: parts.caller,
    headers,
    ...(parts.body !== undefined ? { body: parts.body } : {}),
    ...(invalid !== undefined ? { invalid } : {}),
    ...(retried ? { retried } : {}),
  };
}
