/**
 * Node's built-in modules that start-up does not need, loaded on first use. An `import` of
 * `node:worker_threads`, `node:v8` or `node:tty` loads Node's stream and net modules with it,
 * and `node:crypto` its own dozens: some 5 ms at every start that a program which never starts
 * a thread or asks for random bytes need not pay (BENCHMARKS.md, start-up).
 */
import { createRequire } from 'node:module';

/** The built-in module `id` (`node:…`), loaded now if it was not yet. */
export function builtin<T>(id: string): T {
  // process.getBuiltinModule: Node 20.16 and later; before, a require made here (in the CLI
  // bundle __filename is the bundle, under ESM this module's URL serves).
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof get === 'function') return get.call(process, id) as T;
  return createRequire(typeof __filename === 'string' ? __filename : import.meta.url)(id) as T;
}
