import { readFileSync } from 'node:fs';
import path from 'node:path';

// The OpenAPI document as the fuzzer reads it: operations, their parameters, body and
// documented answers, each schema kept as a JSON pointer into the document so that ajv
// resolves its `$ref`s against the document itself.

export type Json = Record<string, any>;

export const DOCUMENT_PATH = path.resolve(import.meta.dirname, '../../../docs/openapi.json');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Json;
  /** Where `schema` sits in the document. */
  pointer: string;
}

export interface ResponseSpec {
  status: number;
  /** Media types of the documented body (none: the answer has no documented body). */
  mediaTypes: string[];
  /** JSON pointer of the body schema of `application/json`. */
  schemaPointer?: string;
  /** Documented header names, lower case, with the pointers of their schemas. */
  headers: Map<string, string>;
}

export interface OperationSpec {
  operationId: string;
  method: string;
  /** The template: `/v1/invoices/{id}`. */
  path: string;
  /** Security scheme names that may call it; empty for a public operation. */
  schemes: string[];
  parameters: ParameterSpec[];
  body?: { pointer: string; schema: Json; mediaTypes: string[] };
  responses: Map<number, ResponseSpec>;
}

export function loadDocument(file = DOCUMENT_PATH): Json {
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

/** `#/a/b~1c` from its parts. */
export const pointerTo = (...parts: string[]): string => `#/${parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/** Follows local `$ref`s until a value that is not one. */
export function resolveRef(document: Json, value: Json): Json {
  let current = value;
  for (let hops = 0; typeof current?.$ref === 'string'; hops++) {
    if (hops > 20) throw new Error(`$ref loop at ${current.$ref}`);
    current = atPointer(document, current.$ref);
  }
  return current;
}

/** The value at a local JSON pointer (`#/components/schemas/Invoice`). */
export function atPointer(document: Json, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`only local references are supported: ${ref}`);
  const target = ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<Json | undefined>((node, part) => node?.[part], document);
  if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
  return target;
}

/** The pointer a (possibly referenced) object really lives at. */
function locate(document: Json, value: Json, pointer: string): { value: Json; pointer: string } {
  let current = value;
  let at = pointer;
  while (typeof current?.$ref === 'string') {
    at = current.$ref;
    current = atPointer(document, current.$ref);
  }
  return { value: current, pointer: at };
}

/** Every operation under `paths`, in document order. */
export function operationsOf(document: Json): OperationSpec[] {
  const operations: OperationSpec[] = [];
  const globalSecurity = (document.security ?? []) as Json[];
  for (const [template, item] of Object.entries(document.paths as Record<string, Json>)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      const base = ['paths', template, method];
      const security = (operation.security ?? globalSecurity) as Json[];
      const parameters = [...((item.parameters ?? []) as Json[]), ...((operation.parameters ?? []) as Json[])].map((raw, index) => {
        const { value, pointer } = locate(document, raw, pointerTo(...base, 'parameters', String(index)));
        return { name: value.name, in: value.in, required: value.required === true, schema: value.schema, pointer: `${pointer}/schema` } as ParameterSpec;
      });
      const responses = new Map<number, ResponseSpec>();
      for (const [status, raw] of Object.entries(operation.responses as Record<string, Json>)) {
        const { value: response, pointer } = locate(document, raw, pointerTo(...base, 'responses', status));
        const content = (response.content ?? {}) as Record<string, Json>;
        const headers = new Map<string, string>();
        for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
          headers.set(name.toLowerCase(), `${locate(document, header, `${pointer}/headers/${name}`).pointer}/schema`);
        }
        responses.set(Number(status), {
          status: Number(status),
          mediaTypes: Object.keys(content),
          ...(content['application/json']?.schema ? { schemaPointer: `${pointer}/content/application~1json/schema` } : {}),
          headers,
        });
      }
      const requestBody = operation.requestBody ? locate(document, operation.requestBody, pointerTo(...base, 'requestBody')) : undefined;
      const jsonBody = requestBody?.value.content?.['application/json'];
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path: template,
        schemes: [...new Set(security.flatMap((requirement) => Object.keys(requirement)))],
        parameters,
        ...(jsonBody?.schema
          ? {
              body: {
                pointer: `${requestBody!.pointer}/content/application~1json/schema`,
                schema: jsonBody.schema,
                mediaTypes: Object.keys(requestBody!.value.content),
              },
            }
          : {}),
        responses,
      });
    }
  }
  return operations;
}

/** The security scheme whose bearer format a key has (`sk_...` → the scheme saying `sk_...`). */
export function schemeOfKey(document: Json, key: string): string | undefined {
  const schemes = (document.components?.securitySchemes ?? {}) as Record<string, Json>;
  return Object.entries(schemes).find(([, scheme]) => typeof scheme.bearerFormat === 'string' && key.startsWith(scheme.bearerFormat.replace(/\.\.\.$/, '')))?.[0];
}
