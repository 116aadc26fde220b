import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LND_PROTO_FILES, resolveProtoDir } from './proto-path';

/** The options LND documents for JavaScript clients; int64 arrive as strings. */
export const LND_PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

export interface LndServiceConstructors {
  Lightning: grpc.ServiceClientConstructor;
  Invoices: grpc.ServiceClientConstructor;
  Router: grpc.ServiceClientConstructor;
}

let cachedDefinition: protoLoader.PackageDefinition | undefined;

export function loadLndPackageDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync([...LND_PROTO_FILES], {
    ...LND_PROTO_LOADER_OPTIONS,
    includeDirs: [resolveProtoDir()],
  });
  return cachedDefinition;
}

export function loadLndServices(): LndServiceConstructors {
  const loaded = grpc.loadPackageDefinition(loadLndPackageDefinition()) as unknown as {
    lnrpc: { Lightning: grpc.ServiceClientConstructor };
    invoicesrpc: { Invoices: grpc.ServiceClientConstructor };
    routerrpc: { Router: grpc.ServiceClientConstructor };
  };
  return {
    Lightning: loaded.lnrpc.Lightning,
    Invoices: loaded.invoicesrpc.Invoices,
    Router: loaded.routerrpc.Router,
  };
}
