import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

/** How a field is declared: number, type (full name for messages and enums), label, real oneof. */
export interface FieldFact {
  id: number;
  type: string;
  label: 'repeated' | 'optional' | 'singular';
  oneof: string | null;
}

export interface WireFacts {
  messages: Record<string, Record<string, FieldFact>>;
  enums: Record<string, Record<string, number>>;
  methods: Record<string, { request: string; response: string; requestStream: boolean; responseStream: boolean }>;
}

export const CLN_MIRROR = '/work/.mirror/ElementsProject+lightning/repo';
const CLN_FILES = { node: 'cln-grpc/proto/node.proto', primitives: 'cln-grpc/proto/primitives.proto' } as const;

/** Parses node.proto with its import resolved from `readImport` (both are Core Lightning's file names). */
export function parseClnProtos(nodeSource: string, primitivesSource: string): protobuf.Root {
  const root = new protobuf.Root();
  protobuf.parse(primitivesSource, root, { keepCase: true });
  protobuf.parse(nodeSource, root, { keepCase: true });
  root.resolveAll();
  return root;
}

/** Core Lightning's own files from the local mirror, or null when there is no mirror. */
export function readMirrorProtos(): { node: string; primitives: string; commit: string } | null {
  if (!existsSync(CLN_MIRROR)) return null;
  const git = (...args: string[]) => execFileSync('git', ['-C', CLN_MIRROR, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  try {
    return {
      node: git('show', `HEAD:${CLN_FILES.node}`),
      primitives: git('show', `HEAD:${CLN_FILES.primitives}`),
      commit: git('describe', '--tags', '--always', 'HEAD').trim(),
    };
  } catch {
    return null;
  }
}

export function loadOurProtos(protoDir: string): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(protoDir, target);
  root.loadSync('node.proto', { keepCase: true });
  root.resolveAll();
  return root;
}

function typeName(field: protobuf.Field): string {
  return field.resolvedType ? field.resolvedType.fullName.replace(/^\./, '') : field.type;
}

function fieldFact(field: protobuf.Field): FieldFact {
  const synthetic = field.options?.proto3_optional === true;
  return {
    id: field.id,
    type: typeName(field),
    label: field.repeated ? 'repeated' : synthetic ? 'optional' : 'singular',
    oneof: !synthetic && field.partOf ? field.partOf.name : null,
  };
}

function walk(namespace: protobuf.NamespaceBase, visit: (object: protobuf.ReflectionObject) => void): void {
  for (const nested of namespace.nestedArray) {
    visit(nested);
    if (nested instanceof protobuf.Namespace) walk(nested, visit);
  }
}

/** Every message, enum and method of a root, by full name. */
export function wireFactsOf(root: protobuf.Root): WireFacts {
  const facts: WireFacts = { messages: {}, enums: {}, methods: {} };
  walk(root, (object) => {
    const name = object.fullName.replace(/^\./, '');
    if (object instanceof protobuf.Type) {
      facts.messages[name] = Object.fromEntries(object.fieldsArray.map((field) => [field.name, fieldFact(field)]));
    } else if (object instanceof protobuf.Enum) {
      facts.enums[name] = { ...object.values };
    } else if (object instanceof protobuf.Service) {
      for (const method of object.methodsArray) {
        method.resolve();
        facts.methods[`${name}/${method.name}`] = {
          request: method.resolvedRequestType?.fullName.replace(/^\./, '') ?? method.requestType,
          response: method.resolvedResponseType?.fullName.replace(/^\./, '') ?? method.responseType,
          requestStream: method.requestStream === true,
          responseStream: method.responseStream === true,
        };
      }
    }
  });
  return facts;
}

/** Core Lightning's facts for the messages, enums and methods `ours` declares (whole messages and enums). */
export function restrictTo(theirs: WireFacts, ours: WireFacts): WireFacts {
  const pick = <T>(all: Record<string, T>, names: string[]): Record<string, T> =>
    Object.fromEntries(names.filter((name) => name in all).map((name) => [name, all[name] as T]));
  return {
    messages: pick(theirs.messages, Object.keys(ours.messages)),
    enums: pick(theirs.enums, Object.keys(ours.enums)),
    methods: pick(theirs.methods, Object.keys(ours.methods)),
  };
}

/** Every way `ours` differs from Core Lightning's declarations: empty when wire-identical. */
export function driftsFrom(ours: WireFacts, theirs: WireFacts): string[] {
  const drifts: string[] = [];
  for (const [message, fields] of Object.entries(ours.messages)) {
    const their = theirs.messages[message];
    if (!their) {
      drifts.push(`message ${message} is not Core Lightning's`);
      continue;
    }
    for (const [name, fact] of Object.entries(fields)) {
      const theirFact = their[name];
      if (!theirFact) drifts.push(`${message}.${name} does not exist in Core Lightning's`);
      else if (JSON.stringify(fact) !== JSON.stringify(theirFact)) {
        drifts.push(`${message}.${name} is ${JSON.stringify(fact)}, Core Lightning's is ${JSON.stringify(theirFact)}`);
      }
    }
  }
  for (const [enumName, values] of Object.entries(ours.enums)) {
    const their = theirs.enums[enumName];
    if (!their) {
      drifts.push(`enum ${enumName} is not Core Lightning's`);
      continue;
    }
    for (const [name, value] of Object.entries(values)) {
      if (their[name] !== value) drifts.push(`${enumName}.${name} = ${value}, Core Lightning's is ${String(their[name])}`);
    }
  }
  for (const [method, shape] of Object.entries(ours.methods)) {
    const their = theirs.methods[method];
    if (JSON.stringify(shape) !== JSON.stringify(their)) {
      drifts.push(`${method} is ${JSON.stringify(shape)}, Core Lightning's is ${JSON.stringify(their)}`);
    }
  }
  return drifts;
}
