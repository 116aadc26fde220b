const HEX_32_BYTES = /^[0-9a-fA-F]{64}$/;

export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Empty bytes on the wire mean "not set" in proto3. */
export function bytesToHexOrNull(bytes: Uint8Array): string | null {
  return bytes.length === 0 ? null : bytesToHex(bytes);
}

export function hash32ToBytes(hex: string, field: string): Buffer {
  if (!HEX_32_BYTES.test(hex)) {
    throw new TypeError(`${field} must be 32 bytes as 64 hex characters`);
  }
  return Buffer.from(hex, 'hex');
}
