/** qsort and bsearch (stdlib.h): the comparator is guest code, called back through the
 *  call-guest trampoline with pointers into the caller's array. */
import type { ApiContext } from '../types.js';

function compare(ctx: ApiContext, cmp: number, a: number, b: number): number {
  return Number(BigInt.asIntN(32, ctx.callGuest(cmp, [a, b]) & 0xffffffffn));
}

function swap(ctx: ApiContext, a: number, b: number, size: number): void {
  if (a === b) return;
  const x = ctx.mem.read(a, size);
  ctx.mem.copy(a, b, size);
  ctx.mem.write(b, x);
}

/** In-place introsort-free quicksort (median of three, insertion sort for short runs),
 *  recursing on the smaller side so the depth stays logarithmic. */
export function qsort(ctx: ApiContext, base: number, count: bigint, sizeArg: bigint, cmp: number): void {
  const n = Number(count);
  const size = Number(sizeArg);
  if (n < 2 || size === 0) return;
  ctx.mem.check(base, n * size, true);
  const at = (i: number): number => base + i * size;
  let lo = 0;
  let hi = n - 1;
  const stack: [number, number][] = [];
  for (;;) {
    if (hi - lo < 8) {
      for (let i = lo + 1; i <= hi; i++) for (let j = i; j > lo && compare(ctx, cmp, at(j - 1), at(j)) > 0; j--) swap(ctx, at(j - 1), at(j), size);
      const next = stack.pop();
      if (!next) return;
      [lo, hi] = next;
      continue;
    }
    const mid = lo + ((hi - lo) >> 1);
    if (compare(ctx, cmp, at(mid), at(lo)) < 0) swap(ctx, at(mid), at(lo), size);
    if (compare(ctx, cmp, at(hi), at(lo)) < 0) swap(ctx, at(hi), at(lo), size);
    if (compare(ctx, cmp, at(hi), at(mid)) < 0) swap(ctx, at(hi), at(mid), size);
    // Pivot to hi-1; partition lo+1 .. hi-2.
    swap(ctx, at(mid), at(hi - 1), size);
    const pivot = at(hi - 1);
    let i = lo;
    let j = hi - 1;
    for (;;) {
      while (compare(ctx, cmp, at(++i), pivot) < 0);
      while (compare(ctx, cmp, at(--j), pivot) > 0);
      if (i >= j) break;
      swap(ctx, at(i), at(j), size);
    }
    swap(ctx, at(i), at(hi - 1), size);
    if (i - lo < hi - i) {
      stack.push([i + 1, hi]);
      hi = i - 1;
    } else {
      stack.push([lo, i - 1]);
      lo = i + 1;
    }
  }
}

export function bsearch(ctx: ApiContext, key: number, base: number, count: bigint, sizeArg: bigint, cmp: number): number {
  let lo = 0;
  let hi = Number(count) - 1;
  const size = Number(sizeArg);
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compare(ctx, cmp, key, base + mid * size);
    if (c === 0) return base + mid * size;
    if (c < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return 0;
}
