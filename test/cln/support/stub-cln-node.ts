import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CLN_PROTO_DIR, CLN_PROTO_LOADER_OPTIONS } from '../../../cln-simulator';
import { EXTENDED_KEY_USAGE, issueCertificate, KEY_USAGE } from '../../../lnd-simulator/tls/issue-certificate';

/** What a stubbed method answers: a response message, or a gRPC status with its details. */
export type StubAnswer = { response: object } | { error: { code: grpc.status; details: string } } | 'never';

export interface StubClnNode {
  address: string;
  /** Calls received so far, by method. */
  calls: Record<string, number>;
  stop(): Promise<void>;
}

/**
 * A cln.Node server answering fixed messages over the same mutual TLS as a simulator's
 * certificates in `clnDir`: for answers the simulator cannot give (amounts beyond 2^53,
 * statuses cln-grpc sends in other situations).
 */
export interface StubOptions {
  /** Names of a fresh server certificate signed by the same CA; default: the simulator's own server.pem. */
  serverHosts?: string[];
}

/** A server certificate from the simulator's CA (ca-key.pem) for just these names. */
function serverIdentity(clnDir: string, hosts: string[]): { certChain: Buffer; privateKey: Buffer } {
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const certPem = issueCertificate({
    subject: { organization: 'cln-simulator', commonName: 'cln grpc Server' },
    subjectPublicKey: key.publicKey,
    issuer: { organization: 'cln-simulator', commonName: 'cln Root CA' },
    issuerPrivateKey: createPrivateKey(readFileSync(path.join(clnDir, 'ca-key.pem'))),
    validForMs: 86_400_000,
    isCa: false,
    keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment],
    extendedKeyUsage: [EXTENDED_KEY_USAGE.serverAuth],
    hosts,
  });
  return { certChain: Buffer.from(certPem), privateKey: Buffer.from(key.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) };
}

export async function startStubClnNode(clnDir: string, answers: Record<string, StubAnswer>, options: StubOptions = {}): Promise<StubClnNode> {
  const definition = protoLoader.loadSync(['node.proto'], { ...CLN_PROTO_LOADER_OPTIONS, includeDirs: [CLN_PROTO_DIR] });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { cln: { Node: { service: grpc.ServiceDefinition } } };
  const calls: Record<string, number> = {};
  const waiting: (() => void)[] = [];
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of Object.keys(loaded.cln.Node.service)) {
    implementation[method] = (_call: unknown, callback: grpc.sendUnaryData<object>) => {
      calls[method] = (calls[method] ?? 0) + 1;
      const answer = answers[method];
      if (answer === 'never') waiting.push(() => callback({ code: grpc.status.UNAVAILABLE, details: 'stub stopping' }));
      else if (!answer) callback({ code: grpc.status.UNIMPLEMENTED, details: `${method} is not stubbed` });
      else if ('error' in answer) callback({ code: answer.error.code, details: answer.error.details });
      else callback(null, answer.response);
    };
  }
  const server = new grpc.Server();
  server.addService(loaded.cln.Node.service, implementation);
  const read = (name: string) => readFileSync(path.join(clnDir, name));
  const identity = options.serverHosts
    ? serverIdentity(clnDir, options.serverHosts)
    : { certChain: read('server.pem'), privateKey: read('server-key.pem') };
  const credentials = grpc.ServerCredentials.createSsl(read('ca.pem'), [{ private_key: identity.privateKey, cert_chain: identity.certChain }], true);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    address: `127.0.0.1:${port}`,
    calls,
    stop: async () => {
      for (const release of waiting.splice(0)) release();
      server.forceShutdown();
    },
  };
}
