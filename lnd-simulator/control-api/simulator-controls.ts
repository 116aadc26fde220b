import type { z } from 'zod';
import type { OutsidePaymentResult } from '../outside-payer';
import type { PaymentAttempts } from '../payment-engine';
import type { OutsideInvoiceRecord, PaymentOutcome } from '../state/records';
import type { adoptedInvoiceBodySchema, outsideInvoiceBodySchema } from './schemas';

type Awaitable<T> = T | Promise<T>;

/** What the control API can make the simulated network do. */
export interface SimulatorControls {
  /** GET /node: this simulator's node key, its outside peer's, and the siblings it passes calls on to. */
  node(): { pubkey: string; outside_pubkey: string; siblings: readonly string[] };
  payInvoice(bolt11: string, amountMsat?: number): Awaitable<OutsidePaymentResult>;
  createOutsideInvoice(input: z.infer<typeof outsideInvoiceBodySchema>): Awaitable<{ bolt11: string; payment_hash: string }>;
  /** POST /outside-invoices: a sibling's outside invoice, so this node can pay it too. */
  adoptOutsideInvoice(input: z.infer<typeof adoptedInvoiceBodySchema>): { payment_hash: string };
  /** Not routed: what a sibling needs to adopt an outside invoice created here. */
  outsideInvoice(paymentHash: string): OutsideInvoiceRecord | undefined;
  paymentAttempts(paymentHash: string): Awaitable<PaymentAttempts>;
  resolvePayment(paymentHash: string, outcome: PaymentOutcome): Awaitable<{ payment_hash: string; status: string }>;
  dropStreams(): number;
  holdSends(hold: boolean): number;
}
