/**
 * A small hash table keyed by code addresses, for the caches the exception walk consults on every
 * frame (functions and unwind plans by PC). A Map keyed by addresses above 2^31 hashes a heap
 * number on every lookup; this table hashes the two 32-bit halves into a typed array with linear
 * probing. It holds at most half its slots; `set` on a full table starts it again empty.
 */
export class PcTable<T> {
  private readonly keys: Float64Array;
  private readonly values: (T | undefined)[];
  private readonly mask: number;
  private readonly shift: number;
  private count = 0;

  /** `bits`: log2 of the slot count (the table keeps up to half as many entries). */
  constructor(bits = 13) {
    this.keys = new Float64Array(1 << bits);
    this.values = new Array<T | undefined>(1 << bits).fill(undefined);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }

  get size(): number {
    return this.count;
  }

  private slot(pc: number): number {
    const lo = pc >>> 0;
    const hi = (pc / 0x100000000) >>> 0;
    return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> this.shift;
  }

  /** The value for `pc` (a non-zero address), or undefined. */
  get(pc: number): T | undefined {
    const keys = this.keys;
    for (let i = this.slot(pc); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === pc) return this.values[i];
      if (k === 0) return undefined;
    }
  }

  set(pc: number, value: T): void {
    if (pc === 0) return;
    if (this.count >= (this.mask + 1) >>> 1) this.clear();
    const keys = this.keys;
    for (let i = this.slot(pc); ; i = (i + 1) & this.mask) {
      const k = keys[i]!;
      if (k === pc || k === 0) {
        if (k === 0) this.count++;
        keys[i] = pc;
        this.values[i] = value;
        return;
      }
    }
  }

  clear(): void {
    if (this.count === 0) return;
    this.keys.fill(0);
    this.values.fill(undefined);
    this.count = 0;
  }
}
