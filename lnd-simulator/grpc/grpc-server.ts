import * as grpc from '@grpc/grpc-js';
import { loadLndPackageDefinition } from '../../functions/lib/lnd/proto-loader';
import { nowSec } from '../clock';
import type { InvoiceBook } from '../invoice-book';
import type { MacaroonVerifier } from '../macaroons';
import type { PaymentEngine } from '../payment-engine';
import { invoicesService } from './invoices-service';
import { lightningService } from './lightning-service';
import type { OpenStreams } from './open-streams';
import { routerService } from './router-service';
import { RpcHandlers } from './rpc-handlers';

export interface GrpcServerDeps {
  host: string;
  port: number;
  tls: { certPem: string; keyPem: string };
  macaroons: MacaroonVerifier;
  streams: OpenStreams;
  invoices: InvoiceBook;
  payments: PaymentEngine;
  pubkey: string;
  peerPubkey: string;
}

export interface RunningGrpcServer {
  port: number;
  stop(): Promise<void>;
}

export async function startGrpcServer(deps: GrpcServerDeps): Promise<RunningGrpcServer> {
  const loaded = grpc.loadPackageDefinition(loadLndPackageDefinition()) as unknown as {
    lnrpc: { Lightning: { service: grpc.ServiceDefinition } };
    invoicesrpc: { Invoices: { service: grpc.ServiceDefinition } };
    routerrpc: { Router: { service: grpc.ServiceDefinition } };
  };
  const handlers = new RpcHandlers(deps.macaroons);
  // Like LND, accept keepalive pings from clients even between calls.
  const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1 });
  server.addService(
    loaded.lnrpc.Lightning.service,
    lightningService({
      handlers,
      streams: deps.streams,
      invoices: deps.invoices,
      payments: deps.payments,
      pubkey: deps.pubkey,
      peerPubkey: deps.peerPubkey,
      p2pHost: `${deps.host}:9735`,
      startedAtSec: nowSec(),
    }),
  );
  server.addService(loaded.invoicesrpc.Invoices.service, invoicesService(handlers, deps.streams, deps.invoices));
  server.addService(loaded.routerrpc.Router.service, routerService(handlers, deps.streams, deps.payments));

  const credentials = grpc.ServerCredentials.createSsl(
    null,
    [{ private_key: Buffer.from(deps.tls.keyPem), cert_chain: Buffer.from(deps.tls.certPem) }],
    false,
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
      deps.streams.dropAll('server shutting down');
      server.forceShutdown();
    },
  };
}
