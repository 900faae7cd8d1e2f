/** getenv (stdlib.h): looks the name up in the CRT's narrow environment array (`_environ`),
 *  case-insensitively as on Windows, and returns a pointer into it. */
import type { ApiContext } from '../types.js';
import { CRT, crt } from './crtdata.js';
import { environmentArray } from './startup.js';

export function getenv(ctx: ApiContext, name: number): number {
  const m = ctx.mem;
  const at = crt(ctx, CRT.Environ);
  let env = m.ptr(at);
  if (env === 0) {
    env = environmentArray(ctx);
    m.setU64(at, env);
  }
  const want = new TextDecoder().decode(m.cstringBytes(name)).toUpperCase();
  if (want === '' || want.includes('=')) return 0;
  for (let p = env; ; p += 8) {
    const s = m.ptr(p);
    if (s === 0) return 0;
    const entry = m.cstringBytes(s);
    const eq = entry.indexOf(0x3d, 1); // '=' (an entry may start with '=' on Windows: "=C:=C:\\")
    if (eq > 0 && new TextDecoder().decode(entry.subarray(0, eq)).toUpperCase() === want) return s + eq + 1;
  }
}
