import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** proto/cln/ of this repository. */
export const CLN_PROTO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto/cln');

/** As for LND: names as in the proto, 64-bit integers as strings, enums by name. */
export const CLN_PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

let cached: protoLoader.PackageDefinition | undefined;

export function loadClnPackageDefinition(): protoLoader.PackageDefinition {
  cached ??= protoLoader.loadSync(['node.proto'], { ...CLN_PROTO_LOADER_OPTIONS, includeDirs: [CLN_PROTO_DIR] });
  return cached;
}

/** The cln.Node service: its definition for a server, its constructor for a client. */
export function loadClnNodeService(): grpc.ServiceClientConstructor {
  const loaded = grpc.loadPackageDefinition(loadClnPackageDefinition()) as unknown as {
    cln: { Node: grpc.ServiceClientConstructor };
  };
  return loaded.cln.Node;
}
