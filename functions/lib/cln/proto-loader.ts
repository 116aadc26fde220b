import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { resolveClnProtoDir } from './proto-path';

/** Names as in node.proto, uint64 as decimal strings, enums by name, unset optionals absent. */
const CLN_PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

let cachedNode: grpc.ServiceClientConstructor | undefined;

/** The client constructor of cln-grpc's `cln.Node` service. */
export function loadClnNodeClientConstructor(): grpc.ServiceClientConstructor {
  if (!cachedNode) {
    const definition = protoLoader.loadSync(['node.proto'], { ...CLN_PROTO_LOADER_OPTIONS, includeDirs: [resolveClnProtoDir()] });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { cln: { Node: grpc.ServiceClientConstructor } };
    cachedNode = loaded.cln.Node;
  }
  return cachedNode;
}
