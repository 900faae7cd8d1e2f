/**
 * npm run corpus -- DIR [DIR…]: parses every PE file under the given directories (all
 * directories of each image) and lists the ones that fail, with their error kind. Exits 1
 * when any file fails. Files that do not start with "MZ" are skipped.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isPeError, parsePe } from '../src/pe/index.js';

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) yield* walk(p);
    else if (st.isFile()) yield p;
  }
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  process.stderr.write('usage: npm run corpus -- DIR [DIR…]\n');
  process.exit(2);
}
let parsed = 0;
let skipped = 0;
const failures: string[] = [];
const byKind = new Map<string, number>();
const started = process.hrtime.bigint();
for (const dir of dirs) {
  for (const file of walk(dir)) {
    const bytes = readFileSync(file);
    if (bytes.length < 2 || bytes[0] !== 0x4d || bytes[1] !== 0x5a) {
      skipped++;
      continue;
    }
    try {
      parsePe(bytes);
      parsed++;
    } catch (e) {
      const kind = isPeError(e) ? e.kind : 'INTERNAL';
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      failures.push(`${file}: ${kind}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
const ms = Number(process.hrtime.bigint() - started) / 1e6;
for (const f of failures) process.stdout.write(f + '\n');
process.stdout.write(`${parsed} parsed, ${failures.length} failed, ${skipped} not PE (${ms.toFixed(0)} ms)\n`);
for (const [k, n] of byKind) process.stdout.write(`  ${k}: ${n}\n`);
process.exit(failures.length > 0 ? 1 : 0);
