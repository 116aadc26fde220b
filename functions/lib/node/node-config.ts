import { readFileSync } from 'node:fs';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError, presentEnv } from '../runtime/env';
import { connectClnNode } from './cln/cln-node';
import { type Credential, resolveCredential, secretsManagerClient } from './credentials';
import type { LightningNode } from './lightning-node';
import { connectLndNode } from './lnd/lnd-node';

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
  const readFile = options.readFile ?? ((path: string) => readFileSync(path));
  const chosen = vars.LIGHTNING_BACKEND ?? DEFAULT_LIGHTNING_BACKEND;
  if (!isBackend(chosen)) return { config: undefined, problems: [`LIGHTNING_BACKEND must be one of ${LIGHTNING_BACKENDS.join(', ')}`] };

  const spec = backendSpec(chosen, options.role);
  const problems = [...strayVariables(chosen, options.role, vars)];
  const host = vars[spec.hostVariable];
  if (host === undefined || !HOST_PATTERN.test(host)) problems.push(`${spec.hostVariable} must be host:port, e.g. ${spec.hostExample}`);
  const credentials: Record<string, Credential> = {};
  for (const [field, credential] of Object.entries(spec.credentials)) {
    const read = readCredential(credential, vars, readFile);
    if (typeof read === 'string') problems.push(read);
    else credentials[field] = read;
  }
  if (problems.length > 0) return { config: undefined, problems };
  const config = { backend: chosen, host: host!, ...credentials } as NodeConnectionConfig;
  return { config, problems: [] };
}

/** parseNodeConfig, throwing one ConfigError that lists every problem. */
export function readNodeConfig(env: NodeJS.ProcessEnv, options: NodeConfigOptions): NodeConnectionConfig {
  const { config, problems } = parseNodeConfig(env, options);
  if (!config) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return config;
}

function isBackend(value: string): value is LightningBackend {
  return (LIGHTNING_BACKENDS as readonly string[]).includes(value);
}

/** Another backend's variables set: a deployment half-moved from one node to another, refused rather than guessed at. */
function strayVariables(chosen: LightningBackend, role: NodeRole, vars: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const other of LIGHTNING_BACKENDS) {
    if (other === chosen) continue;
    const spec = backendSpec(other, role);
    const names = [spec.hostVariable, ...Object.values(spec.credentials).flatMap((credential) => credential.sources.map((source) => source.variable))];
    const set = names.filter((name) => vars[name] !== undefined);
    if (set.length > 0) {
      const why = vars.LIGHTNING_BACKEND === undefined ? `LIGHTNING_BACKEND is unset (${chosen})` : `LIGHTNING_BACKEND is ${chosen}`;
      problems.push(`${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} for LIGHTNING_BACKEND=${other}, but ${why}: set LIGHTNING_BACKEND=${other} or unset ${set.length === 1 ? 'it' : 'them'}`);
    }
  }
  return problems;
}

/** The credential, or the problem with it. */
function readCredential(spec: CredentialSpec, vars: Record<string, string>, readFile: (path: string) => Buffer): Credential | string {
  const given = spec.sources.filter((source) => vars[source.variable] !== undefined);
  if (given.length !== 1) {
    const names = spec.sources.map((source) => source.variable);
    return `set exactly one of ${names.slice(0, -1).join(', ')} or ${names.at(-1)} (${spec.what})`;
  }
  const { variable, kind } = given[0]!;
  const text = vars[variable]!;
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

export interface ConnectNodeOptions {
  /** Secrets Manager, for credentials given as secret ids; made only when one is. @default the SDK's default region */
  secrets?: () => SecretsManagerClient;
  /** Deadline of every call that answers at once. @default the adapter's */
  unaryTimeoutMs?: number;
}

/** The node the configuration names, through its adapter; credentials held as secrets are fetched first. */
export async function connectNode(config: NodeConnectionConfig, options: ConnectNodeOptions = {}): Promise<LightningNode> {
  let client: SecretsManagerClient | undefined;
  const secrets = options.secrets ?? (() => (client ??= secretsManagerClient(undefined)));
  const resolve = (credential: Credential) => resolveCredential(credential, secrets);
  const timeout = options.unaryTimeoutMs !== undefined ? { unaryTimeoutMs: options.unaryTimeoutMs } : {};
  switch (config.backend) {
    case 'lnd': {
      const [tlsCert, macaroon] = await Promise.all([resolve(config.tlsCert), resolve(config.macaroon)]);
      return connectLndNode({ host: config.host, tlsCert, macaroon, ...timeout });
    }
    case 'cln': {
      const [caCert, clientCert, clientKey] = await Promise.all([resolve(config.caCert), resolve(config.clientCert), resolve(config.clientKey)]);
      return connectClnNode({ host: config.host, caCert, clientCert, clientKey, ...timeout });
    }
  }
}

/** "lnd at host:port", for logs and banners: never a credential. */
export function describeNode(config: NodeConnectionConfig): string {
  return `${config.backend} at ${config.host}`;
}
