/**
 * Static import coverage (`winrun imports`): for a program and, recursively, the PE DLLs it
 * would load, every import classified as implemented, stub or missing against winrun's builtin
 * export tables — the same resolution the loader performs, without running anything.
 */
import { BUILTIN_DLLS } from '../dlls/index.js';
import type { DllTable, ExportRow } from '../dlls/types.js';
import { parseDelayImports, parseForwarder, parsePeForLoading, PeView, type LoadableImage } from '../pe/index.js';
import { normalizeDllName, resolveApiSet } from './apiset.js';
import { assignOrdinals } from './builtin.js';

export type ImportStatus = 'implemented' | 'stub' | 'missing';

export interface FunctionCoverage {
  name: string;
  status: ImportStatus;
}

export interface DllCoverage {
  /** The name as the importer wrote it. */
  dll: string;
  /** What it resolved to: a builtin name, a PE file, or nothing. */
  kind: 'builtin' | 'pe' | 'not-found';
  resolvedTo: string | null;
  delayLoad: boolean;
  implemented: number;
  stub: number;
  missing: number;
  functions: FunctionCoverage[];
}

export interface ModuleCoverage {
  module: string;
  path: string;
  dlls: DllCoverage[];
}

export interface ImportsReport {
  schema: 1;
  file: string;
  modules: ModuleCoverage[];
  totals: { dlls: number; functions: number; implemented: number; stub: number; missing: number };
  /** `DLL!Function` (or `DLL!#ordinal`) for every missing import, sorted. */
  missing: string[];
  /** DLLs that are neither builtin nor found as files. */
  missingDlls: string[];
}

export interface CoverageHost {
  readFile(path: string): Uint8Array;
  /** The path of a non-builtin DLL by Windows search order, or undefined. */
  findDll(name: string): string | undefined;
}

const BUILTINS = new Map<string, DllTable>(BUILTIN_DLLS.map((t) => [t.name, t]));

function rowStatus(table: DllTable, row: ExportRow, depth: number): ImportStatus {
  if (row.stub) return 'stub';
  if (row.forward) {
    const f = parseForwarder(row.forward);
    const target = f && BUILTINS.get(resolveApiSet(f.dll));
    const next = target && f.name !== undefined ? target.exports.find((r) => r.name === f.name) : undefined;
    return next && depth < 8 ? rowStatus(target!, next, depth + 1) : 'missing';
  }
  return row.impl || row.native || row.data ? 'implemented' : 'missing';
}

export function analyzeImports(file: string, displayName: string, host: CoverageHost): ImportsReport {
  const modules: ModuleCoverage[] = [];
  const visited = new Set<string>();
  const peCache = new Map<string, LoadableImage | undefined>();
  const missing = new Set<string>();
  const missingDlls = new Set<string>();

  const loadPe = (path: string): LoadableImage | undefined => {
    if (!peCache.has(path)) {
      try {
        peCache.set(path, parsePeForLoading(host.readFile(path)));
      } catch {
        peCache.set(path, undefined);
      }
    }
    return peCache.get(path);
  };

  const classify = (dllName: string, fn: string | number, depth = 0): ImportStatus => {
    const name = resolveApiSet(dllName);
    const table = BUILTINS.get(name);
    if (table) {
      const row = typeof fn === 'number' ? table.exports[assignOrdinals(table.exports).indexOf(fn)] : table.exports.find((r) => r.name === fn);
      return row ? rowStatus(table, row, 0) : 'missing';
    }
    const path = host.findDll(name);
    const pe = path ? loadPe(path) : undefined;
    const e = pe?.exports?.entries.find((x) => (typeof fn === 'number' ? x.ordinal === fn : x.names.includes(fn)));
    if (!e) return 'missing';
    if (e.forwarder && depth < 8) {
      const f = parseForwarder(e.forwarder)!;
      return classify(f.dll, f.name ?? f.ordinal!, depth + 1);
    }
    return 'implemented';
  };

  const visit = (path: string, module: string, pe: LoadableImage, delayImports: LoadableImage['imports']): void => {
    visited.add(module.toLowerCase());
    const dlls: DllCoverage[] = [];
    const all = [...pe.imports.map((d) => ({ d, delay: false })), ...delayImports.map((d) => ({ d, delay: true }))];
    const next: [string, string, LoadableImage][] = [];
    for (const { d, delay } of all) {
      const name = resolveApiSet(d.dll);
      const builtin = BUILTINS.has(name);
      const found = builtin ? undefined : host.findDll(name);
      const kind = builtin ? 'builtin' : found && loadPe(found) ? 'pe' : 'not-found';
      const functions = d.functions.map((f) => {
        const label = f.name ?? `#${f.ordinal}`;
        const status = kind === 'not-found' ? 'missing' : classify(d.dll, f.name ?? f.ordinal!);
        if (status === 'missing') missing.add(`${d.dll}!${label}`);
        return { name: label, status };
      });
      if (kind === 'not-found') missingDlls.add(d.dll);
      const count = (s: ImportStatus): number => functions.filter((f) => f.status === s).length;
      dlls.push({ dll: d.dll, kind, resolvedTo: builtin ? name : (found ?? null), delayLoad: delay, implemented: count('implemented'), stub: count('stub'), missing: count('missing'), functions });
      if (kind === 'pe' && !visited.has(normalizeDllName(name))) {
        visited.add(normalizeDllName(name));
        next.push([found!, d.dll, loadPe(found!)!]);
      }
    }
    modules.push({ module, path, dlls });
    for (const [p, m, img] of next) visit(p, m, img, []);
  };

  const bytes = host.readFile(file);
  const pe = parsePeForLoading(bytes);
  // Delay-load imports are listed too: the program may call them.
  visit(file, displayName, pe, parseDelayImports(new PeView(bytes, pe)));
  const sum = (k: 'implemented' | 'stub' | 'missing'): number => modules.reduce((n, m) => n + m.dlls.reduce((x, d) => x + d[k], 0), 0);
  return {
    schema: 1,
    file,
    modules,
    totals: { dlls: modules.reduce((n, m) => n + m.dlls.length, 0), functions: sum('implemented') + sum('stub') + sum('missing'), implemented: sum('implemented'), stub: sum('stub'), missing: sum('missing') },
    missing: [...missing].sort(),
    missingDlls: [...missingDlls].sort(),
  };
}
