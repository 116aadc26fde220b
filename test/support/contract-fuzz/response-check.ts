import type { ApiReply } from '../api-harness';
import type { OperationSpec } from './document';
import { parameterValue } from './parameter-text';
import type { PlannedRequest } from './requests';
import type { DocumentValidator } from './validator';

// Whether one answer is one the document allows for this request: a documented status (never
// a 5xx, never a success for a request the document calls invalid), the documented media
// type, a body valid against the status's schema, and only documented contract headers, with
// values their schemas accept.

export interface ResponseCheckContext {
  validator: DocumentValidator;
  /** Lower-case names of the headers the document defines (components.headers): the contract's own. */
  contractHeaders: Set<string>;
}

export function responseContradictions(operation: OperationSpec, request: PlannedRequest, reply: ApiReply, context: ResponseCheckContext): string[] {
  const problems: string[] = [];
  const documented = operation.responses.get(reply.status);
  if (reply.status >= 500) problems.push(`answered ${reply.status}: ${reply.text.slice(0, 200)}`);
  if (!documented) problems.push(`status ${reply.status} is not documented for ${operation.operationId} (documented: ${[...operation.responses.keys()].join(', ')})`);
  if (request.invalid !== undefined && reply.status < 400) problems.push(`accepted a request the document calls invalid (${request.invalid}) with ${reply.status}`);
  if (!documented) return problems;

  const mediaType = reply.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (documented.mediaTypes.length === 0) {
    if (reply.text.length > 0) problems.push(`${reply.status} has a body (${mediaType ?? 'no content type'}), the document describes none`);
  } else if (!mediaType || !documented.mediaTypes.includes(mediaType)) {
    problems.push(`${reply.status} content type ${mediaType ?? '(none)'} is not documented (${documented.mediaTypes.join(', ')})`);
  }
  if (documented.schemaPointer) {
    if (reply.body === undefined) problems.push(`${reply.status} body is not JSON: ${reply.text.slice(0, 120)}`);
    else {
      const errors = context.validator.errors(documented.schemaPointer, reply.body);
      if (errors) problems.push(`${reply.status} body does not match ${documented.schemaPointer}: ${errors}`);
    }
  }
  for (const name of context.contractHeaders) {
    const value = reply.headers.get(name);
    if (value === null) continue;
    const pointer = documented.headers.get(name);
    if (!pointer) {
      problems.push(`${reply.status} carries header ${name}, not documented for this status`);
      continue;
    }
    const errors = context.validator.errors(pointer, parameterValue(value, context.validator.schemaAt(pointer)));
    if (errors) problems.push(`header ${name}: ${JSON.stringify(value)} does not match its schema: ${errors}`);
  }
  return problems;
}
