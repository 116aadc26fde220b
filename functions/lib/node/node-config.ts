import { readFileSync } from 'node:fs';
import { ConfigError, presentEnv } from '../runtime/env';
import type { Credential } from './credentials';

/** The node implementations an adapter exists for; LIGHTNING_BACKEND picks one (default lnd). */
export type { Credential } from './credentials';

export const LIGHTNING_BACKENDS = ['lnd', 'cln'] as const;
export type LightningBackend = (typeof LIGHTNING_BACKENDS)[number];
export const DEFAULT_LIGHTNING_BACKEND: LightningBackend = 'lnd';

export interface LndConnectionConfig {
  backend: 'lnd';
  /** host:port of LND's gRPC interface. */
  host: string;
  /** PEM of the node's tls.cert. */
  tlsCert: Credential;
  /** The macaroon of the role (invoice or payment rights). Never logged. */
  macaroon: Credential;
}

export interface ClnConnectionConfig {
  backend: 'cln';
  /** host:port of cln-grpc (lightningd's grpc-port). */
  host: string;
  /** ca.pem: the node's own CA. */
  caCert: Credential;
  /** client.pem and client-key.pem, signed by that CA: the certificate is the credential. Never logged. */
  clientCert: Credential;
  clientKey: Credential;
}

/**
 * What connecting to one node needs. One node per deployment for now; a list of them (issue
 * 17, several nodes) is a list of these, each parsed from the same variable names.
 */
export type NodeConnectionConfig = LndConnectionConfig | ClnConnectionConfig;

/**
 * Whose connection it is. `invoices`: the API, which may only create, look up and cancel
 * invoices (LND's invoice macaroon), with credentials possibly in Secrets Manager.
 * `payments`: the node-bridge, which pays, with credentials as files or values (ECS hands
 * secrets over as values).
 */
export type NodeRole = 'invoices' | 'payments';

type SourceKind = 'file' | 'base64' | 'hex' | 'pem' | 'pem-secret' | 'hex-secret';

interface CredentialSpec {
  /** What the credential is, for messages ("the node's tls.cert"). */
  what: string;
  /** The variables that may give it: exactly one must be set. */
  sources: ReadonlyArray<{ variable: string; kind: SourceKind }>;
}

interface BackendSpec {
  hostVariable: string;
  hostExample: string;
  credentials: Record<string, CredentialSpec>;
}

const pemSources = (prefix: string, role: NodeRole): CredentialSpec['sources'] => [
  { variable: `${prefix}_PATH`, kind: 'file' },
  { variable: `${prefix}_PEM`, kind: 'pem' },
  ...(role === 'invoices' ? [{ variable: `${prefix}_SECRET_ARN`, kind: 'pem-secret' as const }] : []),
];

/** The variables of each backend, by role; the LND ones are those the deployment has always used. */
function backendSpec(backend: LightningBackend, role: NodeRole): BackendSpec {
  if (backend === 'cln') {
    return {
      hostVariable: 'CLN_GRPC_HOST',
      hostExample: '127.0.0.1:9736',
      credentials: {
        caCert: { what: "cln-grpc's ca.pem", sources: pemSources('CLN_CA_CERT', role) },
        clientCert: { what: "cln-grpc's client.pem", sources: pemSources('CLN_CLIENT_CERT', role) },
        clientKey: { what: "cln-grpc's client-key.pem", sources: pemSources('CLN_CLIENT_KEY', role) },
      },
    };
  }
  const tlsCert: CredentialSpec = {
    what: "the node's tls.cert",
    sources: [
      { variable: 'LND_TLS_CERT_PATH', kind: 'file' },
      { variable: 'LND_TLS_CERT_BASE64', kind: 'base64' },
      role === 'invoices' ? { variable: 'LND_TLS_CERT_SECRET_ARN', kind: 'pem-secret' } : { variable: 'LND_TLS_CERT_PEM', kind: 'pem' },
    ],
  };
  const macaroon: CredentialSpec =
    role === 'invoices'
      ? {
          what: 'the invoice macaroon',
          sources: [
            { variable: 'LND_INVOICE_MACAROON_PATH', kind: 'file' },
            { variable: 'LND_INVOICE_MACAROON_HEX', kind: 'hex' },
            { variable: 'LND_INVOICE_MACAROON_SECRET_ARN', kind: 'hex-secret' },
          ],
        }
      : {
          what: 'a macaroon that may pay',
          sources: [
            { variable: 'LND_MACAROON_PATH', kind: 'file' },
            { variable: 'LND_MACAROON_HEX', kind: 'hex' },
          ],
        };
  return { hostVariable: 'LND_GRPC_HOST', hostExample: '127.0.0.1:10009', credentials: { tlsCert, macaroon } };
}

const HOST_PATTERN = /^[^\s:]+:\d+$/;
const HEX_PATTERN = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface NodeConfigOptions {
  role: NodeRole;
  /** Reads the *_PATH files. @default fs.readFileSync */
  readFile?: (path: string) => Buffer;
}

export type NodeConfigResult = { config: NodeConnectionConfig; problems: [] } | { config: undefined; problems: string[] };

/**
 * The node connection the environment describes, or every problem with it, each naming its
 * variable and never echoing a value, so a caller can put them in one line with its own.
 */
export function parseNodeConfig(env: NodeJS.ProcessEnv, options: NodeConfigOptions): NodeConfigResult {
  const vars = presentEnv(env);
  const chosen = vars.LIGHTNING_BACKEND ?? DEFAULT_LIGHTNING_BACKEND;
  if (!isBackend(chosen)) return { config: undefined, problems: [`LIGHTNING_BACKEND must be one of ${LIGHTNING_BACKENDS.join(', ')}`] };
  const stray = strayVariables(chosen, options.role, vars);
  const parsed = parseConnection(chosen, vars, options, (variable) => variable);
  return stray.length === 0 ? parsed : { config: undefined, problems: [...stray, ...parsed.problems] };
}

/**
 * One backend's connection from its variables; `name` says how a message calls a variable.
 * `reported`: variables already found missing by the caller, whose settings are not reported again.
 */
function parseConnection(
  backend: LightningBackend,
  vars: Record<string, string>,
  options: NodeConfigOptions,
  name: (variable: string) => string,
  reported: ReadonlySet<string> = new Set(),
): NodeConfigResult {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path));
  const spec = backendSpec(backend, options.role);
  const problems: string[] = [];
  let incomplete = false;
  const host = vars[spec.hostVariable];
  if (reported.has(spec.hostVariable)) incomplete = true;
  else if (host === undefined || !HOST_PATTERN.test(host)) problems.push(`${name(spec.hostVariable)} must be host:port, e.g. ${spec.hostExample}`);
  const credentials: Record<string, Credential> = {};
  for (const [field, credential] of Object.entries(spec.credentials)) {
    if (credential.sources.some((source) => reported.has(source.variable))) {
      incomplete = true;
      continue;
    }
    const read = readCredential(credential, vars, readFile, name);
    if (typeof read === 'string') problems.push(read);
    else credentials[field] = read;
  }
  if (incomplete || problems.length > 0) return { config: undefined, problems };
  const config = { backend, host: host!, ...credentials } as NodeConnectionConfig;
  return { config, problems: [] };
}

/** parseNodeConfig, throwing one ConfigError that lists every problem. */
export function readNodeConfig(env: NodeJS.ProcessEnv, options: NodeConfigOptions): NodeConnectionConfig {
  const { config, problems } = parseNodeConfig(env, options);
  if (!config) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return config;
}

/** The node the single-node variables name, when LIGHTNING_NODES is unset: it keeps every name it had (its cursor, its /readyz check). */
export const DEFAULT_NODE_ID = 'default';
export const NODE_ID_PATTERN = /^[a-z0-9-]{1,32}$/;

/** One node of the deployment: an id for cursors, metrics and logs, and how to reach it. */
export interface NamedNodeConnection {
  id: string;
  connection: NodeConnectionConfig;
}

export type NodeListResult = { nodes: NamedNodeConnection[]; problems: [] } | { nodes: undefined; problems: string[] };

const LIST_EXAMPLE = '[{"id":"lnd-a","backend":"lnd","grpc_host":"10.0.0.5:10009","tls_cert_path":"/lnd-a/tls.cert","macaroon_path":"/lnd-a/admin.macaroon"}]';

/**
 * Every node the environment names. LIGHTNING_NODES, a JSON list, names one or more: each entry
 * has an `id` (lowercase a-z, 0-9 and -, at most 32, unique), a `backend`, and its backend's
 * single-node variables as fields, lower case without the LND_ or CLN_ prefix (LND_TLS_CERT_PATH
 * is `tls_cert_path`, CLN_CLIENT_KEY_PEM `client_key_pem`), read exactly as those variables are.
 * Any field may instead be given as `<field>_env`, naming an environment variable that holds
 * its value (`"macaroon_hex_env": "LIGHTNING_NODE_LND_A_MACAROON_HEX"`): ECS injects secrets as
 * variables, never into a JSON string. Without LIGHTNING_NODES the single-node variables name
 * one node, DEFAULT_NODE_ID; with it, they must be unset. Problems name the entry and its
 * field (and the variable a field names), never a value.
 */
export function parseNodeList(env: NodeJS.ProcessEnv, options: NodeConfigOptions): NodeListResult {
  const vars = presentEnv(env);
  const list = vars.LIGHTNING_NODES;
  if (list === undefined) {
    const single = parseNodeConfig(vars, options);
    return single.config ? { nodes: [{ id: DEFAULT_NODE_ID, connection: single.config }], problems: [] } : { nodes: undefined, problems: single.problems };
  }
  const problems: string[] = [];
  const singleVariables = ['LIGHTNING_BACKEND', ...LIGHTNING_BACKENDS.flatMap((backend) => backendVariables(backend, options.role))].filter((name) => vars[name] !== undefined);
  if (singleVariables.length > 0) problems.push(`LIGHTNING_NODES names the nodes, so ${singleVariables.join(', ')} must be unset (each node's settings go in its entry)`);
  let entries: unknown;
  try {
    entries = JSON.parse(list);
  } catch {
    // Never the parser's message: it quotes the text, which may hold a credential.
    return { nodes: undefined, problems: [...problems, `LIGHTNING_NODES must be a JSON list of nodes, e.g. ${LIST_EXAMPLE}`] };
  }
  if (!Array.isArray(entries) || entries.length === 0) return { nodes: undefined, problems: [...problems, `LIGHTNING_NODES must be a non-empty JSON list of nodes, e.g. ${LIST_EXAMPLE}`] };

  const nodes: NamedNodeConnection[] = [];
  const firstIndexOf = new Map<string, number>();
  entries.forEach((entry: unknown, index) => {
    const parsed = parseListEntry(entry, `LIGHTNING_NODES[${index}]`, options, vars);
    problems.push(...parsed.problems);
    if (parsed.id === undefined) return;
    const first = firstIndexOf.get(parsed.id);
    if (first !== undefined) problems.push(`LIGHTNING_NODES[${index}]: id ${parsed.id} is already LIGHTNING_NODES[${first}]'s; ids must be unique`);
    else firstIndexOf.set(parsed.id, index);
    if (parsed.connection) nodes.push({ id: parsed.id, connection: parsed.connection });
  });
  return problems.length === 0 ? { nodes, problems: [] } : { nodes: undefined, problems };
}

/** parseNodeList, throwing one ConfigError that lists every problem. */
export function readNodeList(env: NodeJS.ProcessEnv, options: NodeConfigOptions): NamedNodeConnection[] {
  const { nodes, problems } = parseNodeList(env, options);
  if (!nodes) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return nodes;
}

/** One entry of LIGHTNING_NODES: its id when it has a good one, its connection when everything is right. */
function parseListEntry(
  entry: unknown,
  where: string,
  options: NodeConfigOptions,
  env: Record<string, string>,
): { id?: string; connection?: NodeConnectionConfig; problems: string[] } {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return { problems: [`${where} must be an object with id, backend and the node's settings`] };
  const { id, backend, ...fields } = entry as Record<string, unknown>;
  const goodId = typeof id === 'string' && NODE_ID_PATTERN.test(id) ? id : undefined;
  const label = goodId ? `${where} (${goodId})` : where;
  const problems: string[] = [];
  if (!goodId) problems.push(`${where}: id must be 1 to 32 characters of a-z, 0-9 and -`);
  if (typeof backend !== 'string' || !isBackend(backend)) {
    problems.push(`${label}: backend must be one of ${LIGHTNING_BACKENDS.join(', ')}`);
    return { ...(goodId ? { id: goodId } : {}), problems };
  }
  const prefix = `${backend.toUpperCase()}_`;
  const fieldOf = (variable: string) => variable.slice(prefix.length).toLowerCase();
  const known = backendVariables(backend, options.role).map(fieldOf);
  const vars: Record<string, string> = {};
  // Fields whose value came from a variable, so a message about the value names both.
  const viaEnv = new Map<string, string>();
  for (const [key, value] of Object.entries(fields)) {
    const field = key.endsWith(ENV_SUFFIX) && known.includes(key.slice(0, -ENV_SUFFIX.length)) ? key.slice(0, -ENV_SUFFIX.length) : key;
    if (!known.includes(field)) {
      problems.push(`${label}: unknown field ${key} (a ${backend} node takes ${known.join(', ')})`);
      continue;
    }
    if (typeof value !== 'string' || value === '') {
      problems.push(`${label}: ${key} must be a non-empty string`);
      continue;
    }
    const variable = `${prefix}${field.toUpperCase()}`;
    if (vars[variable] !== undefined || viaEnv.has(variable)) {
      problems.push(`${label}: set only one of ${field} and ${field}${ENV_SUFFIX}`);
      continue;
    }
    if (field === key) {
      vars[variable] = value;
      continue;
    }
    const fromEnv = valueFromEnv(key, value, env, options.role);
    if (fromEnv.value === undefined) problems.push(`${label}: ${fromEnv.problem}`);
    else vars[variable] = fromEnv.value;
    viaEnv.set(variable, value);
  }
  const name = (variable: string) => (viaEnv.has(variable) ? `${fieldOf(variable)}${ENV_SUFFIX} (${viaEnv.get(variable)})` : fieldOf(variable));
  // A field whose variable is unusable is reported above; "set exactly one of" on top would mislead.
  const reported = new Set([...viaEnv.keys()].filter((variable) => vars[variable] === undefined));
  const parsed = parseConnection(backend, vars, options, name, reported);
  problems.push(...parsed.problems.map((problem) => `${label}: ${problem}`));
  return { ...(goodId ? { id: goodId } : {}), ...(parsed.config && problems.length === 0 ? { connection: parsed.config } : {}), problems };
}

/** How a field names the variable that holds its value. */
const ENV_SUFFIX = '_env';
const ENV_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;

/** The value of the variable a `<field>_env` names, or why it cannot be used (never the value). */
function valueFromEnv(key: string, variable: string, env: Record<string, string>, role: NodeRole): { value: string; problem?: undefined } | { value?: undefined; problem: string } {
  if (!ENV_NAME_PATTERN.test(variable)) return { problem: `${key} must name an environment variable (A-Z, 0-9 and _, not starting with a digit)` };
  // Those are the single-node settings, which LIGHTNING_NODES refuses: naming one would make the deployment ambiguous.
  const reserved = ['LIGHTNING_NODES', 'LIGHTNING_BACKEND', ...LIGHTNING_BACKENDS.flatMap((backend) => backendVariables(backend, role))];
  if (reserved.includes(variable)) return { problem: `${key} names ${variable}, a single-node setting: choose a variable of its own, e.g. LIGHTNING_NODE_<ID>_<FIELD>` };
  const value = env[variable];
  return value === undefined ? { problem: `${key} names ${variable}, which is unset or empty` } : { value };
}

function isBackend(value: string): value is LightningBackend {
  return (LIGHTNING_BACKENDS as readonly string[]).includes(value);
}

/** Every variable that configures a node of this backend for this role. */
function backendVariables(backend: LightningBackend, role: NodeRole): string[] {
  const spec = backendSpec(backend, role);
  return [spec.hostVariable, ...Object.values(spec.credentials).flatMap((credential) => credential.sources.map((source) => source.variable))];
}

/** Another backend's variables set: a deployment half-moved from one node to another, refused rather than guessed at. */
function strayVariables(chosen: LightningBackend, role: NodeRole, vars: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const other of LIGHTNING_BACKENDS) {
    if (other === chosen) continue;
    const set = backendVariables(other, role).filter((name) => vars[name] !== undefined);
    if (set.length > 0) {
      const why = vars.LIGHTNING_BACKEND === undefined ? `LIGHTNING_BACKEND is unset (${chosen})` : `LIGHTNING_BACKEND is ${chosen}`;
      problems.push(`${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} for LIGHTNING_BACKEND=${other}, but ${why}: set LIGHTNING_BACKEND=${other} or unset ${set.length === 1 ? 'it' : 'them'}`);
    }
  }
  return problems;
}

/** The credential, or the problem with it. */
function readCredential(spec: CredentialSpec, vars: Record<string, string>, readFile: (path: string) => Buffer, name: (variable: string) => string): Credential | string {
  const given = spec.sources.filter((source) => vars[source.variable] !== undefined);
  if (given.length !== 1) {
    const names = spec.sources.map((source) => name(source.variable));
    return `set exactly one of ${names.slice(0, -1).join(', ')} or ${names.at(-1)} (${spec.what})`;
  }
  const { variable: source, kind } = given[0]!;
  const variable = name(source);
  const text = vars[source]!;
  switch (kind) {
    case 'file':
      try {
        return { kind: 'value', value: readFile(text) };
      } catch {
        return `${variable}: cannot read ${text}`;
      }
    case 'base64':
      return BASE64_PATTERN.test(text) ? { kind: 'value', value: Buffer.from(text, 'base64') } : `${variable} must be base64 of ${spec.what}`;
    case 'hex':
      return HEX_PATTERN.test(text) ? { kind: 'value', value: Buffer.from(text, 'hex') } : `${variable} must be hex`;
    case 'pem':
      return text.includes('-----BEGIN ') ? { kind: 'value', value: Buffer.from(text, 'utf8') } : `${variable} must be the PEM of ${spec.what}`;
    case 'pem-secret':
      return { kind: 'secret', secretId: text, encoding: 'utf8' };
    case 'hex-secret':
      return { kind: 'secret', secretId: text, encoding: 'hex' };
  }
}

/** "lnd at host:port", for logs and banners: never a credential. */
export function describeNode(config: NodeConnectionConfig): string {
  return `${config.backend} at ${config.host}`;
}
