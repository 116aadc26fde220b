import { int64ToNumber } from '../../functions/lib/lnd/int64';
import { RpcFailure } from '../rpc-failure';

/** int64 request fields as numbers; LND would reject what we cannot represent anyway. */
export function int64Field(value: string | number, field: string): number {
  try {
    return int64ToNumber(value, field);
  } catch {
    throw new RpcFailure(`${field} is out of range`);
  }
}

export function hashField(bytes: Buffer, field: string): string {
  if (bytes.length !== 32) throw new RpcFailure(`${field} must be exactly 32 bytes, is ${bytes.length}`);
  return bytes.toString('hex');
}
