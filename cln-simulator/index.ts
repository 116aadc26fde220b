export {
  type ClnOutsideInvoiceOptions,
  type ClnSimulator,
  type ClnSimulatorOptions,
  DEFAULT_CLN_CONTROL_PORT,
  DEFAULT_CLN_GRPC_PORT,
  startClnSimulator,
} from './start-simulator';
export { CLN_PROTO_DIR, CLN_PROTO_LOADER_OPTIONS, loadClnNodeService } from './grpc/cln-proto';
export { PaymentOutcome } from '../lnd-simulator/state/records';
