import { describe, expect, it } from 'vitest';
import { parseNodeList } from '../../functions/lib/node/node-config';

// ECS hands each node's secrets to the bridge as variables; LIGHTNING_NODES names them with `<field>_env`.

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBsecretcert\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEsecretkey\n-----END PRIVATE KEY-----\n';
const MACAROON_HEX = '0201036c6e640258030a10b3';

const nodes = (entries: unknown[], extra: Record<string, string> = {}) => parseNodeList({ LIGHTNING_NODES: JSON.stringify(entries), ...extra }, { role: 'payments' });
const problemsOf = (entries: unknown[], extra: Record<string, string> = {}) => nodes(entries, extra).problems;

const lndA = { id: 'lnd-a', backend: 'lnd', grpc_host: '10.0.0.5:10009', tls_cert_pem_env: 'LIGHTNING_NODE_LND_A_TLS_CERT_PEM', macaroon_hex_env: 'LIGHTNING_NODE_LND_A_MACAROON_HEX' };
const lndAEnv = { LIGHTNING_NODE_LND_A_TLS_CERT_PEM: CERT, LIGHTNING_NODE_LND_A_MACAROON_HEX: MACAROON_HEX };

describe('LIGHTNING_NODES: a field given as <field>_env, naming the variable that holds it', () => {
  it('reads an LND node whose certificate and macaroon are in variables of their own', () => {
    const { nodes: parsed, problems } = nodes([lndA], lndAEnv);
    expect(problems).toEqual([]);
    expect(parsed).toEqual([
      {
        id: 'lnd-a',
        connection: {
          backend: 'lnd',
          host: '10.0.0.5:10009',
          tlsCert: { kind: 'value', value: Buffer.from(CERT, 'utf8') },
          macaroon: { kind: 'value', value: Buffer.from(MACAROON_HEX, 'hex') },
        },
      },
    ]);
  });

  it('reads a Core Lightning node with all three PEMs and its address from variables', () => {
    const entry = { id: 'cln-b', backend: 'cln', grpc_host_env: 'CLN_B_HOST', ca_cert_pem_env: 'CLN_B_CA', client_cert_pem_env: 'CLN_B_CERT', client_key_pem_env: 'CLN_B_KEY' };
    const { nodes: parsed, problems } = nodes([entry], { CLN_B_HOST: '10.0.0.6:9736', CLN_B_CA: CERT, CLN_B_CERT: CERT, CLN_B_KEY: KEY });
    expect(problems).toEqual([]);
    expect(parsed?.[0]?.connection).toEqual({
      backend: 'cln',
      host: '10.0.0.6:9736',
      caCert: { kind: 'value', value: Buffer.from(CERT) },
      clientCert: { kind: 'value', value: Buffer.from(CERT) },
      clientKey: { kind: 'value', value: Buffer.from(KEY) },
    });
  });

  it('mixes fields given directly and through variables, node by node', () => {
    const cln = { id: 'cln-b', backend: 'cln', grpc_host: '10.0.0.6:9736', ca_cert_pem: CERT, client_cert_pem: CERT, client_key_pem_env: 'CLN_B_KEY' };
    const { nodes: parsed, problems } = nodes([lndA, cln], { ...lndAEnv, CLN_B_KEY: KEY });
    expect(problems).toEqual([]);
    expect(parsed?.map((node) => node.id)).toEqual(['lnd-a', 'cln-b']);
  });

  it('names the field and its variable when the variable is unset or empty, and nothing else about that credential', () => {
    const problems = problemsOf([lndA], { LIGHTNING_NODE_LND_A_TLS_CERT_PEM: CERT, LIGHTNING_NODE_LND_A_MACAROON_HEX: '' });
    expect(problems).toEqual(['LIGHTNING_NODES[0] (lnd-a): macaroon_hex_env names LIGHTNING_NODE_LND_A_MACAROON_HEX, which is unset or empty']);
  });

  it('reports a bad value by field and variable, never the value', () => {
    const notHex = 'zz-secret-macaroon-zz';
    const notPem = 'secret-cert-without-armour';
    const problems = problemsOf([lndA], { LIGHTNING_NODE_LND_A_TLS_CERT_PEM: notPem, LIGHTNING_NODE_LND_A_MACAROON_HEX: notHex });
    expect(problems).toEqual([
      "LIGHTNING_NODES[0] (lnd-a): tls_cert_pem_env (LIGHTNING_NODE_LND_A_TLS_CERT_PEM) must be the PEM of the node's tls.cert",
      'LIGHTNING_NODES[0] (lnd-a): macaroon_hex_env (LIGHTNING_NODE_LND_A_MACAROON_HEX) must be hex',
    ]);
    expect(problems.join(' ')).not.toContain('secret');
  });

  it('refuses a field given both directly and through a variable', () => {
    const problems = problemsOf([{ ...lndA, macaroon_hex: MACAROON_HEX }], lndAEnv);
    expect(problems).toEqual(['LIGHTNING_NODES[0] (lnd-a): set only one of macaroon_hex and macaroon_hex_env']);
  });

  it('refuses a name that is no variable name, or a single-node setting', () => {
    const problems = problemsOf([{ ...lndA, tls_cert_pem_env: 'lower-case', macaroon_hex_env: 'LND_MACAROON_HEX' }]);
    expect(problems).toEqual([
      'LIGHTNING_NODES[0] (lnd-a): tls_cert_pem_env must name an environment variable (A-Z, 0-9 and _, not starting with a digit)',
      'LIGHTNING_NODES[0] (lnd-a): macaroon_hex_env names LND_MACAROON_HEX, a single-node setting: choose a variable of its own, e.g. LIGHTNING_NODE_<ID>_<FIELD>',
    ]);
  });

  it("takes _env only on the backend's own fields", () => {
    const problems = problemsOf([{ ...lndA, client_key_pem_env: 'X' }], lndAEnv);
    expect(problems).toEqual([expect.stringMatching(/^LIGHTNING_NODES\[0\] \(lnd-a\): unknown field client_key_pem_env \(a lnd node takes grpc_host, /)]);
  });

  it('gives the API (role invoices) its secret ARNs through variables too', () => {
    const entry = { id: 'lnd-a', backend: 'lnd', grpc_host: '10.0.0.5:10009', tls_cert_secret_arn_env: 'A_CERT_ARN', invoice_macaroon_secret_arn: 'arn:aws:secretsmanager:us-east-1:1:secret:m' };
    const result = parseNodeList({ LIGHTNING_NODES: JSON.stringify([entry]), A_CERT_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:c' }, { role: 'invoices' });
    expect(result.problems).toEqual([]);
    expect(result.nodes?.[0]?.connection).toMatchObject({ tlsCert: { kind: 'secret', secretId: 'arn:aws:secretsmanager:us-east-1:1:secret:c', encoding: 'utf8' } });
  });
});
