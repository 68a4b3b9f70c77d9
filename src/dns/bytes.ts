// Big-endian reads for offsets the caller has bounds-checked already. Buffer#readUInt16BE and
// DataView check again, and a DataView is one more object per message walked: measured 10-20 ns
// of a ~170 ns query scan (bench/micro), and walkMessage's share of a miss's garbage fell by
// ~90 bytes without it (bench/micro/miss-allocs.ts).

export function u16(wire: Uint8Array, at: number): number {
  return ((wire[at] as number) << 8) | (wire[at + 1] as number);
}

export function u32(wire: Uint8Array, at: number): number {
  return (
    (wire[at] as number) * 0x1000000 +
    (((wire[at + 1] as number) << 16) | ((wire[at + 2] as number) << 8) | (wire[at + 3] as number))
  );
}
