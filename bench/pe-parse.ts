/**
 * npm run bench: how long parsePe takes to parse every directory of real DLLs around 1 MB
 * (target ≤ 5 ms), against reading the same file from the page cache as a reference.
 * Uses Debian wine64's DLLs when installed (or the files given as arguments), else the fixtures.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { parsePe } from '../src/pe/index.js';

const WINE_DIR = '/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/';
const FIXTURE_DIR = new URL('../../tests/fixtures/bin/', import.meta.url).pathname;

function candidates(): string[] {
  const args = process.argv.slice(2);
  if (args.length > 0) return args;
  if (existsSync(WINE_DIR)) {
    // The DLLs closest to 1 MB, plus the largest one.
    const files = readdirSync(WINE_DIR)
      .filter((f) => f.endsWith('.dll'))
      .map((f) => ({ f: WINE_DIR + f, size: statSync(WINE_DIR + f).size }));
    const near = [...files].sort((a, b) => Math.abs(a.size - 1_000_000) - Math.abs(b.size - 1_000_000)).slice(0, 4);
    const largest = [...files].sort((a, b) => b.size - a.size)[0]!;
    return [...near, largest].map((x) => x.f);
  }
  return readdirSync(FIXTURE_DIR).map((f) => FIXTURE_DIR + f);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeMs(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const RUNS = 50;
process.stdout.write(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'}\n`);
process.stdout.write('file                          size      first parse  median parse  median read  parse/read  parse/5ms target\n');
for (const file of candidates()) {
  const bytes = new Uint8Array(readFileSync(file));
  let first = 0;
  const parse: number[] = [];
  const read: number[] = [];
  let summary = '';
  for (let i = 0; i < RUNS; i++) {
    // Alternate the two measurements so that machine noise hits both alike.
    read.push(timeMs(() => readFileSync(file)));
    const t = timeMs(() => {
      const pe = parsePe(bytes);
      summary = `${pe.imports.length} imported DLLs, ${pe.exports?.entries.length ?? 0} exports, ${pe.exceptions.functions.length} functions, ${pe.relocations.dir64.length} relocations`;
    });
    if (i === 0) first = t;
    parse.push(t);
  }
  const p = median(parse);
  const r = median(read);
  const name = file.split('/').pop()!;
  process.stdout.write(
    `${name.padEnd(28)}  ${(bytes.length / 1e6).toFixed(2).padStart(5)} MB  ${first.toFixed(2).padStart(8)} ms  ${p.toFixed(2).padStart(9)} ms  ${r.toFixed(2).padStart(8)} ms  ${(p / r).toFixed(1).padStart(8)}x  ${(p / 5).toFixed(2).padStart(8)}x   (${summary})\n`,
  );
}
