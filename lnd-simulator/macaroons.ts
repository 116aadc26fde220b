import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './state/atomic-write';

/** LND permission entities and actions, as `lncli bakemacaroon` names them. */
export type Permission =
  | 'info:read'
  | 'invoices:read'
  | 'invoices:write'
  | 'offchain:read'
  | 'offchain:write'
  | 'onchain:read';

/** Which permission each RPC needs, as in LND's rpcserver permission map. */
export const METHOD_PERMISSIONS: Readonly<Record<string, Permission>> = {
  '/lnrpc.Lightning/GetInfo': 'info:read',
  '/lnrpc.Lightning/AddInvoice': 'invoices:write',
  '/lnrpc.Lightning/LookupInvoice': 'invoices:read',
  '/lnrpc.Lightning/ListInvoices': 'invoices:read',
  '/lnrpc.Lightning/SubscribeInvoices': 'invoices:read',
  '/lnrpc.Lightning/DecodePayReq': 'offchain:read',
  '/lnrpc.Lightning/ChannelBalance': 'offchain:read',
  '/lnrpc.Lightning/ListChannels': 'offchain:read',
  '/lnrpc.Lightning/WalletBalance': 'onchain:read',
  '/lnrpc.Lightning/ListPayments': 'offchain:read',
  '/invoicesrpc.Invoices/CancelInvoice': 'invoices:write',
  '/invoicesrpc.Invoices/AddHoldInvoice': 'invoices:write',
  '/invoicesrpc.Invoices/SettleInvoice': 'invoices:write',
  '/invoicesrpc.Invoices/SubscribeSingleInvoice': 'invoices:read',
  '/routerrpc.Router/SendPaymentV2': 'offchain:write',
  '/routerrpc.Router/TrackPaymentV2': 'offchain:read',
};

const ALL_PERMISSIONS: readonly Permission[] = [
  'info:read',
  'invoices:read',
  'invoices:write',
  'offchain:read',
  'offchain:write',
  'onchain:read',
];

/**
 * The files the simulator writes and what each may do. `invoice.macaroon`
 * is the project's invoice role (invoices + getinfo), `payment.macaroon`
 * the node-bridge role; see docs/LND.md for the matching bakemacaroon lines.
 */
export const MACAROON_ROLES = {
  admin: { file: 'admin.macaroon', permissions: ALL_PERMISSIONS },
  invoice: { file: 'invoice.macaroon', permissions: ['info:read', 'invoices:read', 'invoices:write'] },
  payment: {
    file: 'payment.macaroon',
    permissions: ['info:read', 'invoices:read', 'offchain:read', 'offchain:write', 'onchain:read'],
  },
} as const satisfies Record<string, { file: string; permissions: readonly Permission[] }>;
export type MacaroonRole = keyof typeof MACAROON_ROLES;

const TOKEN_BYTES = 48;

export type MacaroonCheck =
  | { ok: true; role: MacaroonRole }
  | { ok: false; reason: 'missing' | 'unknown' | 'forbidden'; message: string };

/**
 * Real macaroons are HMAC chains; the simulator only needs to tell its own
 * random tokens apart, so each role is one random token file.
 */
export class MacaroonVerifier {
  private constructor(private readonly tokens: ReadonlyMap<MacaroonRole, Buffer>) {}

  static loadOrCreate(lndDir: string): { verifier: MacaroonVerifier; paths: Record<MacaroonRole, string> } {
    const tokens = new Map<MacaroonRole, Buffer>();
    const paths = {} as Record<MacaroonRole, string>;
    for (const role of Object.keys(MACAROON_ROLES) as MacaroonRole[]) {
      const filePath = path.join(lndDir, MACAROON_ROLES[role].file);
      if (!existsSync(filePath)) writeFileAtomic(filePath, randomBytes(TOKEN_BYTES), 0o600);
      tokens.set(role, readFileSync(filePath));
      paths[role] = filePath;
    }
    return { verifier: new MacaroonVerifier(tokens), paths };
  }

  /** Checks the `macaroon` metadata values of a call against the RPC's permission. */
  check(macaroonHexValues: readonly string[], methodPath: string): MacaroonCheck {
    if (macaroonHexValues.length !== 1) {
      return { ok: false, reason: 'missing', message: `expected 1 macaroon, got ${macaroonHexValues.length}` };
    }
    const presented = Buffer.from(macaroonHexValues[0] ?? '', 'hex');
    const role = [...this.tokens].find(
      ([, token]) => token.length === presented.length && timingSafeEqual(token, presented),
    )?.[0];
    if (!role) {
      return { ok: false, reason: 'unknown', message: 'verification failed: signature mismatch after caveat verification' };
    }
    const needed = METHOD_PERMISSIONS[methodPath];
    const granted: readonly Permission[] = MACAROON_ROLES[role].permissions;
    if (!needed || !granted.includes(needed)) return { ok: false, reason: 'forbidden', message: 'permission denied' };
    return { ok: true, role };
  }
}
