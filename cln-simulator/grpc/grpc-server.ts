import * as grpc from '@grpc/grpc-js';
import { loadClnPackageDefinition } from './cln-proto';
import { nodeService, type NodeServiceDeps } from './node-service';

export interface ClnGrpcServerDeps extends NodeServiceDeps {
  host: string;
  port: number;
  tls: { caPem: string; serverCertPem: string; serverKeyPem: string };
}

export interface RunningGrpcServer {
  port: number;
  stop(): Promise<void>;
}

/** cln.Node over mutual TLS: only clients with a certificate signed by our CA get through. */
export async function startClnGrpcServer(deps: ClnGrpcServerDeps): Promise<RunningGrpcServer> {
  const loaded = grpc.loadPackageDefinition(loadClnPackageDefinition()) as unknown as {
    cln: { Node: { service: grpc.ServiceDefinition } };
  };
  const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1 });
  server.addService(loaded.cln.Node.service, nodeService(deps));
  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(deps.tls.caPem),
    [{ private_key: Buffer.from(deps.tls.serverKeyPem), cert_chain: Buffer.from(deps.tls.serverCertPem) }],
    true,
  );
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${deps.host}:${deps.port}`, credentials, (error, boundPort) => {
      if (error) reject(error);
      else resolve(boundPort);
    });
  });
  return {
    port,
    stop: async () => {
      deps.openCalls.dropAll('server shutting down');
      server.forceShutdown();
    },
  };
}
