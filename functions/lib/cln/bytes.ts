const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** cln-grpc's bytes fields (hashes, preimages, node ids) as lowercase hex. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Proto3 `optional bytes`: absent stays null. */
export function bytesToHexOrNull(bytes: Uint8Array | null | undefined): string | null {
  return bytes ? bytesToHex(bytes) : null;
}

/** Hex of exactly `length` bytes (32 for a hash or preimage) as the bytes cln-grpc expects. */
export function hexToBytes(hex: string, length: number, field: string): Buffer {
  if (hex.length !== length * 2 || !HEX.test(hex)) throw new TypeError(`${field} must be ${length} bytes as ${length * 2} hex characters`);
  return Buffer.from(hex, 'hex');
}
