export {
  DEFAULT_CONTROL_PORT,
  DEFAULT_GRPC_PORT,
  type LndSimulator,
  type LndSimulatorOptions,
  type OutsideInvoiceOptions,
  startLndSimulator,
} from './start-simulator';
export { PaymentOutcome } from './state/records';
export type { OutsidePaymentResult } from './outside-payer';
export type { PaymentAttempts } from './payment-engine';
