import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { decodeInvoice } from '../../lnd-simulator/bolt11-codec';
import { SIMULATED_BLOCK_HEIGHT, SIMULATED_CHANNEL, SIMULATED_WALLET } from '../../lnd-simulator/channels';
import { ClnErrorCode, ClnRpcError } from '../cln-rpc-error';
import type { ClnInvoiceBook } from '../invoice-book';
import type { ClnPaymentEngine } from '../payment-engine';
import type { ClnPayRecord, InvoiceStatus, PayStatus } from '../state/records';
import type { OpenCalls } from './open-calls';
import { amount, deletedInvoice, hexBytes, listedInvoice, listedPay, waitedInvoice } from './to-proto';
import { unaryHandler } from './unary-handler';

export const SIMULATED_VERSION = 'v26.06-clnsim';
const SIMULATED_SCID = '900x1x0';
/** lightningd's our_msat for the simulated channel: everything but the peer's balance (LND's local_balance + commit_fee). */
export const ourMsatBeforeCommitFee = (): number => (SIMULATED_CHANNEL.capacitySat - SIMULATED_CHANNEL.remoteBalanceSat) * 1000;

const FUNDING_TXID = SIMULATED_CHANNEL.channelPoint.split(':')[0] ?? '';

export interface NodeServiceDeps {
  openCalls: OpenCalls;
  invoices: ClnInvoiceBook;
  payments: ClnPaymentEngine;
  pubkey: string;
  peerPubkey: string;
  lightningDir: string;
}

type Amount = { msat: string } | null | undefined;
const msatOf = (value: Amount): number | null => (value ? Number(value.msat) : null);
const numberOf = (value: string | number | undefined): number | undefined => (value === undefined ? undefined : Number(value));
const hexOf = (value: Buffer | undefined): string | undefined => value?.toString('hex');
const indexOf = (value: string | undefined): 'created' | 'updated' | undefined =>
  value === undefined ? undefined : value === 'UPDATED' ? 'updated' : 'created';

interface InvoiceRequest {
  description: string;
  label: string;
  preimage?: Buffer;
  cltv?: number;
  expiry?: string;
  deschashonly?: boolean;
  amount_msat: { amount?: { msat: string }; any?: boolean } | null;
}

/** cln.Node: the calls of proto/cln/node.proto, answered as lightningd and its plugins do. */
export function nodeService(deps: NodeServiceDeps): UntypedServiceImplementation {
  const { invoices, payments, openCalls } = deps;
  const unary = <Req, Res>(method: string, run: (request: Req, signal: AbortSignal) => Res | Promise<Res>) =>
    unaryHandler(method, openCalls, run);

  return {
    Getinfo: unary('Getinfo', () => ({
      id: hexBytes(deps.pubkey),
      alias: 'cln-simulator',
      color: hexBytes(deps.pubkey.slice(2, 8)),
      num_peers: 1,
      num_pending_channels: 0,
      num_active_channels: 1,
      num_inactive_channels: 0,
      version: SIMULATED_VERSION,
      lightning_dir: deps.lightningDir,
      blockheight: SIMULATED_BLOCK_HEIGHT,
      network: 'regtest',
      fees_collected_msat: amount(0),
    })),

    ListFunds: unary('ListFunds', () => ({
      outputs: [
        {
          txid: hexBytes(FUNDING_TXID).reverse(),
          output: 1,
          amount_msat: amount(SIMULATED_WALLET.confirmedSat * 1000),
          scriptpubkey: Buffer.from('0014', 'hex'),
          status: 'CONFIRMED',
          blockheight: SIMULATED_BLOCK_HEIGHT - 100,
          reserved: false,
        },
      ],
      channels: [
        {
          peer_id: hexBytes(deps.peerPubkey),
          // The LND simulator's channel, as lightningd sees it: we opened it, and our_msat is
          // our balance before the commitment fee the opener pays (LND's local_balance is after it).
          our_amount_msat: amount(ourMsatBeforeCommitFee()),
          amount_msat: amount(SIMULATED_CHANNEL.capacitySat * 1000),
          funding_txid: hexBytes(FUNDING_TXID),
          funding_output: 0,
          connected: true,
          state: 'ChanneldNormal',
          short_channel_id: SIMULATED_SCID,
          channel_id: hexBytes(FUNDING_TXID),
        },
      ],
    })),

    Invoice: unary('Invoice', (request: InvoiceRequest) => {
      const requested = request.amount_msat;
      if (!requested || (requested.amount === undefined && !requested.any)) {
        throw new ClnRpcError(ClnErrorCode.InvalidParams, "missing required parameter: amount_msat|msatoshi");
      }
      const invoice = invoices.create({
        label: request.label,
        description: request.description,
        amountMsat: requested.amount ? msatOf(requested.amount) : null,
        expirySec: numberOf(request.expiry) ?? null,
        preimage: hexOf(request.preimage) ?? null,
        cltv: request.cltv ?? null,
        deschashonly: request.deschashonly ?? false,
      });
      return {
        bolt11: invoice.bolt11,
        payment_hash: hexBytes(invoice.paymentHash),
        payment_secret: hexBytes(invoice.paymentSecret),
        expires_at: invoice.expiresAtSec,
        created_index: invoice.createdIndex,
      };
    }),

    ListInvoices: unary(
      'ListInvoices',
      (request: { label?: string; invstring?: string; payment_hash?: Buffer; index?: string; start?: string; limit?: number }) => ({
        invoices: invoices
          .list({
            label: request.label,
            invstring: request.invstring,
            paymentHash: hexOf(request.payment_hash),
            index: indexOf(request.index),
            start: numberOf(request.start),
            limit: request.limit,
          })
          .map(listedInvoice),
      }),
    ),

    DelInvoice: unary('DelInvoice', (request: { label: string; status: string; desconly?: boolean }) => {
      const expected = request.status.toLowerCase() as InvoiceStatus;
      const invoice = invoices.delete(request.label, expected, request.desconly ?? false);
      return deletedInvoice(invoice, expected);
    }),

    WaitAnyInvoice: unary('WaitAnyInvoice', (request: { lastpay_index?: string; timeout?: string }, signal) => {
      const lastPayIndex = numberOf(request.lastpay_index) ?? 0;
      const ready = invoices.paidAfter(lastPayIndex);
      if (ready) return waitedInvoice(ready);
      const timeoutSec = numberOf(request.timeout);
      return new Promise((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const release = (): void => {
          unsubscribe();
          clearTimeout(timer);
          signal.removeEventListener('abort', release);
        };
        const unsubscribe = invoices.paid.subscribe(() => {
          const next = invoices.paidAfter(lastPayIndex);
          if (!next) return;
          release();
          resolve(waitedInvoice(next));
        });
        signal.addEventListener('abort', release);
        if (timeoutSec !== undefined) {
          timer = setTimeout(() => {
            release();
            reject(new ClnRpcError(ClnErrorCode.InvoiceWaitTimedOut, 'Timed out while waiting for invoice to be paid'));
          }, timeoutSec * 1000);
        }
      });
    }),

    Decode: unary('Decode', (request: { string: string }) => {
      let decoded;
      try {
        decoded = decodeInvoice(request.string);
      } catch {
        throw new ClnRpcError(ClnErrorCode.InvalidParams, 'string: Unparsable invoice');
      }
      return {
        item_type: 'BOLT11_INVOICE',
        valid: true,
        currency: decoded.network,
        created_at: decoded.timestampSec,
        expiry: decoded.expirySec,
        payee: hexBytes(decoded.payee),
        payment_hash: hexBytes(decoded.paymentHash),
        ...(decoded.descriptionHash ? { description_hash: hexBytes(decoded.descriptionHash) } : { description: decoded.description }),
        min_final_cltv_expiry: decoded.cltvExpiry,
        ...(decoded.paymentSecret ? { payment_secret: hexBytes(decoded.paymentSecret) } : {}),
        ...(decoded.amountMsat === null ? {} : { amount_msat: amount(decoded.amountMsat) }),
      };
    }),

    ListPays: unary(
      'ListPays',
      (request: { bolt11?: string; payment_hash?: Buffer; status?: string; index?: string; start?: string; limit?: number }) => ({
        pays: payments
          .list({
            bolt11: request.bolt11,
            paymentHash: hexOf(request.payment_hash),
            status: request.status === undefined ? undefined : (request.status.toLowerCase() as PayStatus),
            index: indexOf(request.index),
            start: numberOf(request.start),
            limit: request.limit,
          })
          .map(listedPay),
      }),
    ),

    Xpay: unary(
      'Xpay',
      (
        request: { invstring: string; amount_msat?: Amount; maxfee?: Amount; retry_for?: number; label?: string },
        signal,
      ) =>
        new Promise((resolve, reject) => {
          let unsubscribe = (): void => {};
          const settle = (pay: ClnPayRecord): boolean => {
            if (pay.status === 'pending') return false;
            unsubscribe();
            if (pay.status === 'complete') {
              resolve({
                payment_preimage: hexBytes(pay.preimage ?? ''),
                failed_parts: 0,
                successful_parts: 1,
                amount_msat: amount(pay.amountMsat),
                amount_sent_msat: amount(pay.amountSentMsat),
              });
            } else {
              const failure = pay.failure ?? { code: ClnErrorCode.PayUnspecifiedError, message: 'Failed' };
              reject(new ClnRpcError(failure.code as ClnErrorCode, failure.message));
            }
            return true;
          };
          // A payment goes on when its caller has gone: only the answer is dropped.
          signal.addEventListener('abort', () => unsubscribe());
          payments.submit(
            {
              invstring: request.invstring,
              amountMsat: msatOf(request.amount_msat),
              maxfeeMsat: msatOf(request.maxfee),
              retryForSec: request.retry_for ?? null,
              label: request.label ?? null,
            },
            (started) => {
              if (started instanceof ClnRpcError) {
                reject(started);
                return;
              }
              if (settle(started)) return;
              unsubscribe = payments.ended.subscribe((pay) => {
                if (pay === started) settle(pay);
              });
            },
          );
        }),
    ),
  };
}
