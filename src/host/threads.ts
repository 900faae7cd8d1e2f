/**
 * Host threads for guest threads (DESIGN.md §5): each further guest thread runs on a
 * `worker_threads` Worker that loads winrun itself (the CLI bundle, or the ESM build under
 * tests) and calls its `threadMain` with the boot data. Nothing here waits on the creator's
 * event loop: the creator is usually blocked inside a guest call, so a Worker reports only
 * through shared memory, and writes its errors to fd 2 itself.
 */
import { writeSync } from 'node:fs';
import { Worker, isMainThread, workerData } from 'node:worker_threads';

/** The file that defines `threadMain`: the CJS bundle when running from it, else the ESM
 *  build's cli.js next to this module. */
function entryScript(): { path: string; cjs: boolean } {
  // In the bundle (CommonJS), __filename is the bundle itself; under ESM it is undefined.
  if (typeof __filename === 'string' && __filename.endsWith('.cjs')) return { path: __filename, cjs: true };
  return { path: new URL('../cli.js', import.meta.url).href, cjs: false };
}

/** Starts a Worker that runs `threadMain(data)`. `data` must be structured-cloneable;
 *  SharedArrayBuffers in it are shared, not copied. */
export function startThreadWorker(data: unknown): void {
  const { path, cjs } = entryScript();
  const fail = `(e) => { require('node:fs').writeSync(2, 'winrun: thread start failed: ' + (e && e.stack || e) + '\\n'); }`;
  // The bundle loads the way bin/winrun loads it: with the V8 code cache written beside it
  // when its first line (the build id) matches, so that a Worker skips compiling winrun.
  const loadBundle = `const fs = require('node:fs'); const vm = require('node:vm'); const { createRequire } = require('node:module');
    const file = ${JSON.stringify(path)}; const source = fs.readFileSync(file, 'utf8');
    const id = Buffer.from(source.slice(0, source.indexOf('\\n') + 1)); let cachedData;
    try { const c = fs.readFileSync(file + '.cache'); if (c.subarray(0, id.length).equals(id)) cachedData = c.subarray(id.length); } catch {}
    const script = new vm.Script('(function (exports, require, module, __filename, __dirname) {' + source + '\\n})', { filename: file, cachedData });
    const mod = { exports: {} }; script.runInThisContext()(mod.exports, createRequire(file), mod, file, require('node:path').dirname(file));
    mod.exports.threadMain();`;
  const code = cjs
    ? `try { ${loadBundle} } catch (e) { (${fail})(e); }`
    : `import(${JSON.stringify(path)}).then((m) => m.threadMain(), ${fail});`;
  const w = new Worker(code, { eval: true, workerData: data, stdout: false, stderr: false });
  // The process ends with exit_group, never by waiting for its Workers.
  w.unref();
}

/** The boot data of this Worker, or undefined on the main thread. */
export function threadBootData(): unknown {
  return isMainThread ? undefined : workerData;
}

/** Writes a line to fd 2 directly (a Worker's process.stderr goes through its parent's loop). */
export function reportToStderr(text: string): void {
  writeSync(2, text.endsWith('\n') ? text : text + '\n');
}
