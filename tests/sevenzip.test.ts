// 7-Zip's 7za.exe (npm 7zip-bin, MSVC-built, multi-threaded, C++ exceptions) as a test subject:
// a deterministic data set archived, tested, listed and extracted under winrun, compared byte
// for byte with its source, through every format and the switches issue 9 names. Expected
// messages and exit codes are 7-Zip's own (checked against the same 7za.exe under Wine 8).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { scratchDir, WINRUN } from './helpers.js';

const SEVEN_ZA = createRequire(import.meta.url).resolve('7zip-bin/win/x64/7za.exe');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  raw: Buffer;
}

/** 7za ARGS under winrun in `cwd`, with `input` on stdin (closed otherwise). */
function sevenZa(cwd: string, args: readonly string[], input = ''): Run {
  const r = spawnSync(process.execPath, [WINRUN, SEVEN_ZA, ...args], { cwd, input, timeout: 120_000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), raw: r.stdout };
}

/** A run that must succeed with 7-Zip's "Everything is Ok". */
function ok(cwd: string, args: readonly string[], input = ''): Run {
  const r = sevenZa(cwd, args, input);
  assert.equal(r.status, 0, `7za ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /Everything is Ok/);
  return r;
}

/** xorshift32: the same bytes on every run. */
function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

const NON_ASCII = 'Ünïcødé 名前.txt';

/** The data set, in `dir/data`: texts of several sizes, random binary, empty files, nested
 *  directories, a non-ASCII name, a read-only file. */
function makeDataSet(dir: string): string {
  const root = join(dir, 'data');
  const next = seeded(0x7a7a);
  const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'archive', 'winrun', '7-Zip', 'lorem', 'ipsum'];
  const text = (n: number): string => {
    let s = '';
    while (s.length < n) s += words[next() % words.length]! + (next() % 11 === 0 ? '\r\n' : ' ');
    return s.slice(0, n);
  };
  const binary = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) b.writeUInt32LE(next(), Math.min(i, n - 4));
    return b;
  };
  for (const d of ['docs', 'docs/nested/deeper', 'bin', 'empty-dir']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'small.txt'), text(100));
  writeFileSync(join(root, 'docs/medium.txt'), text(50_000));
  writeFileSync(join(root, 'docs/nested/large.txt'), text(1_500_000));
  writeFileSync(join(root, 'docs/nested/deeper/tiny.txt'), 'x');
  writeFileSync(join(root, 'bin/random.bin'), binary(700_000));
  writeFileSync(join(root, 'bin/zeros.bin'), Buffer.alloc(200_000));
  writeFileSync(join(root, 'empty.txt'), '');
  writeFileSync(join(root, 'docs/empty.dat'), '');
  writeFileSync(join(root, NON_ASCII), 'non-ASCII name\n');
  writeFileSync(join(root, 'readonly.txt'), 'read only\n');
  chmodSync(join(root, 'readonly.txt'), 0o444);
  return root;
}

/** Every file and directory under `root`, relative, sorted. */
function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    out.push(e.isDirectory() ? p + '/' : p);
    if (e.isDirectory()) out.push(...walk(root, p));
  }
  return out.sort();
}

/** `copy` holds the same names and bytes as `src`, with the same modification times (7z and
 *  zip keep 100 ns, tar whole seconds) and the read-only file still read-only. */
function assertSameTree(src: string, copy: string, timeUnit = 100n): void {
  const names = walk(src);
  assert.deepEqual(walk(copy), names);
  for (const n of names) {
    if (n.endsWith('/')) continue;
    assert.ok(readFileSync(join(copy, n)).equals(readFileSync(join(src, n))), `${n} differs`);
    const a = statSync(join(src, n), { bigint: true });
    const b = statSync(join(copy, n), { bigint: true });
    assert.equal(b.mtimeNs / timeUnit, a.mtimeNs / timeUnit, `${n}: modification time`);
  }
  assert.equal(statSync(join(copy, 'readonly.txt')).mode & 0o222, 0, 'readonly.txt stays read-only');
  assert.notEqual(statSync(join(copy, 'small.txt')).mode & 0o200, 0, 'small.txt stays writable');
}

const dir = scratchDir();
const data = makeDataSet(dir);

describe('7za.exe under winrun', () => {
  it('finds every import it needs', () => {
    const r = spawnSync(process.execPath, [WINRUN, 'imports', SEVEN_ZA], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /Everything the program imports is there/);
  });

  it('lists its formats and codecs (i)', () => {
    const r = sevenZa(dir, ['i']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /7-Zip \(a\) 21\.07 \(x64\)/);
    assert.match(r.stdout, /\b7z\b.*\b7z\b/);
    assert.match(r.stdout, /LZMA2/);
  });

  it('archives, tests, lists and extracts a 7z archive byte for byte, times and attributes kept', () => {
    ok(dir, ['a', 'all.7z', 'data']);
    const t = ok(dir, ['t', 'all.7z']);
    assert.match(t.stdout, /Files: 10\r?\n/);
    const l = sevenZa(dir, ['l', 'all.7z']);
    assert.equal(l.status, 0);
    for (const n of ['data\\docs\\nested\\deeper\\tiny.txt', `data\\${NON_ASCII}`, 'data\\empty-dir', 'data\\bin\\random.bin']) assert.ok(l.stdout.includes(n), n);
    ok(dir, ['x', '-oout7z', '-y', 'all.7z']);
    assertSameTree(data, join(dir, 'out7z/data'));
  });

  for (const type of ['zip', 'tar']) {
    it(`round-trips a ${type} archive`, () => {
      ok(dir, ['a', `-t${type}`, `all.${type}`, 'data']);
      ok(dir, ['t', `all.${type}`]);
      ok(dir, ['x', `-oout-${type}`, '-y', `all.${type}`]);
      assertSameTree(data, join(dir, `out-${type}/data`), type === 'tar' ? 1_000_000_000n : 100n);
    });
  }

  it('compresses single files with gzip and xz, readable by other tools', () => {
    ok(dir, ['a', '-tgzip', 'large.gz', 'data/docs/nested/large.txt']);
    const original = readFileSync(join(data, 'docs/nested/large.txt'));
    assert.ok(gunzipSync(readFileSync(join(dir, 'large.gz'))).equals(original));
    ok(dir, ['a', '-txz', 'random.xz', 'data/bin/random.bin']);
    ok(dir, ['e', '-oout-xz', '-y', 'random.xz']); // xz keeps no name: the archive's, less .xz
    assert.ok(readFileSync(join(dir, 'out-xz/random')).equals(readFileSync(join(data, 'bin/random.bin'))));
    const xz = spawnSync('xz', ['-dc', join(dir, 'random.xz')]);
    if (xz.error === undefined) assert.ok(xz.stdout.equals(readFileSync(join(data, 'bin/random.bin'))));
  });

  for (const mmt of ['on', 'off', '2']) {
    it(`compresses with -mmt=${mmt} -mx=5`, () => {
      ok(dir, ['a', `-mmt=${mmt}`, '-mx=5', `mt-${mmt}.7z`, 'data']);
      ok(dir, ['x', `-oout-mt-${mmt}`, '-y', `mt-${mmt}.7z`]);
      assertSameTree(data, join(dir, `out-mt-${mmt}/data`));
    });
  }

  it('makes solid and non-solid archives', () => {
    ok(dir, ['a', '-ms=on', 'solid.7z', 'data']);
    ok(dir, ['a', '-ms=off', 'nonsolid.7z', 'data']);
    const solid = sevenZa(dir, ['l', '-slt', 'solid.7z']).stdout;
    const non = sevenZa(dir, ['l', '-slt', 'nonsolid.7z']).stdout;
    assert.match(solid, /Solid = \+/);
    assert.match(solid, /Blocks = 1\r?\n/);
    assert.match(non, /Solid = -/);
    assert.match(non, /Blocks = 8\r?\n/); // one per non-empty file
    ok(dir, ['x', '-oout-nonsolid', '-y', 'nonsolid.7z']);
    assertSameTree(data, join(dir, 'out-nonsolid/data'));
  });

  it('encrypts with -p (data and, with -mhe, names) and refuses a wrong password with exit code 2', () => {
    ok(dir, ['a', '-psecret', '-mhe=on', 'enc.7z', 'data']);
    assert.ok(!readFileSync(join(dir, 'enc.7z')).includes(Buffer.from('readonly')));
    const wrong = sevenZa(dir, ['t', '-pwrong', 'enc.7z']);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /Cannot open encrypted archive\. Wrong password\?/);
    ok(dir, ['x', '-psecret', '-oout-enc', '-y', 'enc.7z']);
    assertSameTree(data, join(dir, 'out-enc/data'));
  });

  it('splits into volumes with -v and extracts from the first', () => {
    ok(dir, ['a', '-v400k', 'vol.7z', 'data']);
    assert.ok(existsSync(join(dir, 'vol.7z.001')) && existsSync(join(dir, 'vol.7z.002')));
    ok(dir, ['x', '-oout-vol', '-y', 'vol.7z.001']);
    assertSameTree(data, join(dir, 'out-vol/data'));
  });

  it('recurses with -r and a wildcard', () => {
    ok(data, ['a', '-r', join(dir, 'txt.7z'), '*.txt']);
    const l = sevenZa(dir, ['l', 'txt.7z']).stdout;
    for (const n of ['small.txt', 'docs\\medium.txt', 'docs\\nested\\deeper\\tiny.txt', NON_ASCII]) assert.ok(l.includes(n), n);
    assert.ok(!l.includes('random.bin'));
    assert.match(l, /7 files\r?\n/);
  });

  it('updates (u), deletes (d) and renames (rn) inside an archive', () => {
    const work = join(dir, 'upd');
    mkdirSync(join(work, 'data'), { recursive: true });
    writeFileSync(join(work, 'data/one.txt'), 'one\n');
    ok(work, ['a', 'u.7z', 'data']);
    writeFileSync(join(work, 'data/two.txt'), 'two\n');
    ok(work, ['u', 'u.7z', 'data']);
    ok(work, ['d', 'u.7z', 'data\\one.txt']);
    ok(work, ['rn', 'u.7z', 'data\\two.txt', 'data\\three.txt']);
    const l = sevenZa(work, ['l', 'u.7z']).stdout;
    assert.ok(!l.includes('one.txt') && !l.includes('two.txt'));
    assert.equal(sevenZa(work, ['e', '-so', 'u.7z', 'data\\three.txt']).raw.toString(), 'two\n');
  });

  it('hashes files (h) as other tools do', () => {
    const file = join(data, 'bin/random.bin');
    const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
    const r = ok(dir, ['h', '-scrcSHA256', 'data/bin/random.bin']);
    assert.match(r.stdout, new RegExp(`SHA256 for data: +${sha}`, 'i'));
    assert.match(ok(dir, ['h', 'data/small.txt']).stdout, /CRC32 {2}for data: +[0-9A-F]{8}/);
  });

  it('writes progress and messages where -bso/-bsp/-bse send them, and data with -so', () => {
    const r = sevenZa(dir, ['a', '-bso0', '-bsp1', 'progress.7z', 'data']);
    assert.equal(r.status, 0);
    assert.ok(!r.stdout.includes('Everything is Ok'));
    assert.match(r.stdout, /\d+%/);
    const e = sevenZa(dir, ['t', '-bso2', '-bsp0', 'progress.7z']);
    assert.equal(e.stdout, '');
    assert.match(e.stderr, /Everything is Ok/);
    const so = sevenZa(dir, ['e', '-so', 'all.7z', 'data\\bin\\random.bin']);
    assert.equal(so.status, 0);
    assert.ok(so.raw.equals(readFileSync(join(data, 'bin/random.bin'))));
  });

  it('answers overwrite prompts from stdin', () => {
    const out = join(dir, 'prompt');
    mkdirSync(join(out, 'data'), { recursive: true });
    writeFileSync(join(out, 'data/small.txt'), 'mine\n');
    const no = sevenZa(dir, ['x', '-oprompt', 'all.7z', 'data\\small.txt'], 'N\n');
    assert.equal(no.status, 0);
    assert.match(no.stdout, /Would you like to replace the existing file/);
    assert.equal(readFileSync(join(out, 'data/small.txt'), 'utf8'), 'mine\n');
    ok(dir, ['x', '-oprompt', 'all.7z', 'data\\small.txt'], 'Y\n');
    assert.ok(readFileSync(join(out, 'data/small.txt')).equals(readFileSync(join(data, 'small.txt'))));
  });

  it('reports a corrupted archive with 7-Zip\'s own errors and exit code 2', () => {
    const bytes = readFileSync(join(dir, 'nonsolid.7z'));
    const bad = Buffer.from(bytes);
    for (let i = 2000; i < 2200; i++) bad[i]! ^= 0x55;
    writeFileSync(join(dir, 'bad.7z'), bad);
    const t = sevenZa(dir, ['t', 'bad.7z']);
    assert.equal(t.status, 2, t.stdout + t.stderr);
    assert.match(t.stderr, /ERROR: (CRC Failed|Data Error) : data\\/);
    assert.match(t.stdout, /Archives with Errors: 1/);
    writeFileSync(join(dir, 'truncated.7z'), bytes.subarray(0, 20));
    const tr = sevenZa(dir, ['t', 'truncated.7z']);
    assert.equal(tr.status, 2);
    assert.match(tr.stderr, /Is not archive/);
    assert.equal(tr.stderr.includes('winrun'), false);
  });

  it('warns with exit code 1 about a file it cannot find, and archives the rest', () => {
    const r = sevenZa(dir, ['a', 'warn.7z', 'data\\small.txt', 'no-such-file']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr + r.stdout, /no-such-file : The system cannot find the file specified/);
    assert.match(r.stderr + r.stdout, /Scan WARNINGS: 1/);
    const l = sevenZa(dir, ['l', 'warn.7z']);
    assert.equal(l.status, 0);
    assert.match(l.stdout, /small\.txt/);
  });

  it('stops with exit code 255 on Ctrl-C (SIGINT)', async () => {
    const big = join(dir, 'big.bin');
    const next = seeded(0x5151);
    const bytes = Buffer.alloc(24 << 20);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE(next(), i);
    writeFileSync(big, bytes);
    const child = spawn(process.execPath, [WINRUN, SEVEN_ZA, 'a', '-mx=9', '-mmt=1', 'break.7z', 'big.bin'], { cwd: dir });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let exited = false;
    const closed = new Promise<number | null>((resolve) =>
      child.on('close', (c) => {
        exited = true;
        resolve(c);
      }),
    );
    // Single-threaded -mx=9 on 24 MiB takes many seconds (its stdout, a pipe, is buffered, so
    // there is no progress to watch): interrupt it after two.
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(exited, false, `7za ended before it could be interrupted: ${out}`);
    child.kill('SIGINT');
    const code = await closed;
    assert.equal(code, 255);
    assert.match(out, /Break signaled/);
  });

  it('exits with 7 on a command line error', () => {
    const r = sevenZa(dir, ['zz']);
    assert.equal(r.status, 7);
    assert.match(r.stderr, /Command Line Error:\r?\nUnsupported command:\r?\nzz/);
  });
});
