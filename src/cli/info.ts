/**
 * `winrun info FILE [--json]`: what a PE image contains. The report is built once as a plain
 * JSON-able object (the `--json` output, stable for tools) and the human text is rendered from
 * the same object, so the two cannot disagree.
 */
import {
  DEBUG_TYPE_NAMES,
  DLL_CHARACTERISTICS,
  FILE_CHARACTERISTICS,
  IMAGE_SCN_CNT_CODE,
  IMAGE_SCN_CNT_INITIALIZED_DATA,
  IMAGE_SCN_CNT_UNINITIALIZED_DATA,
  IMAGE_SCN_MEM_DISCARDABLE,
  IMAGE_SCN_MEM_EXECUTE,
  IMAGE_SCN_MEM_READ,
  IMAGE_SCN_MEM_SHARED,
  IMAGE_SCN_MEM_WRITE,
  RESOURCE_TYPE_NAMES,
  flagNames,
  listResources,
  machineName,
  subsystemName,
  type PeImage,
} from '../pe/index.js';

/** Version of the JSON layout; bumped only on incompatible changes. */
export const INFO_SCHEMA_VERSION = 1;

const h = (n: number | bigint): string => '0x' + n.toString(16);

export interface InfoFunction {
  name?: string;
  ordinal?: number;
  hint?: number;
  iatRva: string;
}
export interface InfoImport {
  dll: string;
  functions: InfoFunction[];
}
export interface InfoExport {
  ordinal: number;
  names: string[];
  rva?: string;
  forwarder?: string;
}
export interface InfoSection {
  name: string;
  rva: string;
  virtualSize: string;
  rawOffset: string;
  rawSize: string;
  access: string;
  contents: string[];
  characteristics: string;
}

export interface InfoReport {
  schema: number;
  file: string;
  fileSize: number;
  format: 'PE32+';
  machine: string;
  kind: 'exe' | 'dll';
  subsystem: string;
  subsystemVersion: string;
  characteristics: string[];
  dllCharacteristics: string[];
  imageBase: string;
  sizeOfImage: string;
  sizeOfHeaders: string;
  entryPoint: string | null;
  stackReserve: string;
  stackCommit: string;
  heapReserve: string;
  heapCommit: string;
  linkerVersion: string;
  osVersion: string;
  timeDateStamp: number;
  managed: boolean;
  sections: InfoSection[];
  imports: InfoImport[];
  delayImports: InfoImport[];
  boundImports: boolean;
  exports: { dllName: string; ordinalBase: number; entries: InfoExport[] } | null;
  tls: { rawData: string; rawDataSize: number; zeroFill: number; indexRva: string | null; callbacks: string[] } | null;
  relocations: { blocks: number; dir64: number };
  exceptions: { functions: number; unwindInfos: number; directorySize: number; withHandler: number };
  resources: { type: string; name: string; language: number | string; rva: string; size: number }[];
  loadConfig: { size: number; securityCookieRva: string | null; guardFlags: string } | null;
  debug: { types: string[]; pdbPath: string | null; guid: string | null; age: number | null };
}

function sectionAccess(c: number): string {
  return (c & IMAGE_SCN_MEM_READ ? 'R' : '-') + (c & IMAGE_SCN_MEM_WRITE ? 'W' : '-') + (c & IMAGE_SCN_MEM_EXECUTE ? 'X' : '-');
}

function sectionContents(c: number): string[] {
  const out: string[] = [];
  if (c & IMAGE_SCN_CNT_CODE) out.push('code');
  if (c & IMAGE_SCN_CNT_INITIALIZED_DATA) out.push('data');
  if (c & IMAGE_SCN_CNT_UNINITIALIZED_DATA) out.push('bss');
  if (c & IMAGE_SCN_MEM_SHARED) out.push('shared');
  if (c & IMAGE_SCN_MEM_DISCARDABLE) out.push('discardable');
  return out;
}

function importList(dlls: PeImage['imports']): InfoImport[] {
  return dlls.map((d) => ({
    dll: d.dll,
    functions: d.functions.map((f) => {
      const o: InfoFunction = { iatRva: h(f.iatRva) };
      if (f.name !== undefined) o.name = f.name;
      if (f.hint !== undefined) o.hint = f.hint;
      if (f.ordinal !== undefined) o.ordinal = f.ordinal;
      return o;
    }),
  }));
}

export function buildInfoReport(pe: PeImage, file: string): InfoReport {
  const oh = pe.optionalHeader;
  const fh = pe.fileHeader;
  const exc = pe.exceptions;
  const resources = pe.resources
    ? listResources(pe.resources).map(({ path, data }) => {
        const [type, name, lang] = path;
        return {
          type: typeof type === 'number' ? (RESOURCE_TYPE_NAMES[type] ?? String(type)) : String(type),
          name: String(name ?? ''),
          language: lang ?? 0,
          rva: h(data.rva),
          size: data.size,
        };
      })
    : [];
  const cv = pe.debug?.codeView;
  let withHandler = 0;
  for (const u of exc.unwindInfos.values()) if (u.handlerRva !== undefined) withHandler++;
  return {
    schema: INFO_SCHEMA_VERSION,
    file,
    fileSize: pe.fileSize,
    format: 'PE32+',
    machine: machineName(fh.Machine),
    kind: pe.isDll ? 'dll' : 'exe',
    subsystem: subsystemName(oh.Subsystem),
    subsystemVersion: `${oh.MajorSubsystemVersion}.${oh.MinorSubsystemVersion}`,
    characteristics: flagNames(fh.Characteristics, FILE_CHARACTERISTICS),
    dllCharacteristics: flagNames(oh.DllCharacteristics, DLL_CHARACTERISTICS),
    imageBase: h(oh.ImageBase),
    sizeOfImage: h(oh.SizeOfImage),
    sizeOfHeaders: h(oh.SizeOfHeaders),
    entryPoint: oh.AddressOfEntryPoint !== 0 ? h(oh.AddressOfEntryPoint) : null,
    stackReserve: h(oh.SizeOfStackReserve),
    stackCommit: h(oh.SizeOfStackCommit),
    heapReserve: h(oh.SizeOfHeapReserve),
    heapCommit: h(oh.SizeOfHeapCommit),
    linkerVersion: `${oh.MajorLinkerVersion}.${oh.MinorLinkerVersion}`,
    osVersion: `${oh.MajorOperatingSystemVersion}.${oh.MinorOperatingSystemVersion}`,
    timeDateStamp: fh.TimeDateStamp,
    managed: pe.isManaged,
    sections: pe.sections.map((s) => ({
      name: s.name,
      rva: h(s.VirtualAddress),
      virtualSize: h(s.VirtualSize),
      rawOffset: h(s.PointerToRawData),
      rawSize: h(s.SizeOfRawData),
      access: sectionAccess(s.Characteristics),
      contents: sectionContents(s.Characteristics),
      characteristics: h(s.Characteristics),
    })),
    imports: importList(pe.imports),
    delayImports: importList(pe.delayImports),
    boundImports: pe.hasBoundImports,
    exports: pe.exports
      ? {
          dllName: pe.exports.dllName,
          ordinalBase: pe.exports.ordinalBase,
          entries: pe.exports.entries.map((e) => (e.forwarder !== undefined ? { ordinal: e.ordinal, names: [...e.names], forwarder: e.forwarder } : { ordinal: e.ordinal, names: [...e.names], rva: h(e.rva) })),
        }
      : null,
    tls: pe.tls
      ? {
          rawData: `${h(pe.tls.rawDataStartRva)}..${h(pe.tls.rawDataEndRva)}`,
          rawDataSize: pe.tls.rawDataEndRva - pe.tls.rawDataStartRva,
          zeroFill: pe.tls.sizeOfZeroFill,
          indexRva: pe.tls.indexRva !== 0 ? h(pe.tls.indexRva) : null,
          callbacks: pe.tls.callbacks.map(h),
        }
      : null,
    relocations: { blocks: pe.relocations.blockCount, dir64: pe.relocations.dir64.length },
    exceptions: { functions: exc.functions.length, unwindInfos: exc.unwindInfos.size, directorySize: pe.dataDirectories[3]!.Size, withHandler },
    resources,
    loadConfig: pe.loadConfig
      ? { size: pe.loadConfig.size, securityCookieRva: pe.loadConfig.securityCookieRva !== 0 ? h(pe.loadConfig.securityCookieRva) : null, guardFlags: h(pe.loadConfig.guardFlags) }
      : null,
    debug: {
      types: (pe.debug?.entries ?? []).map((e) => DEBUG_TYPE_NAMES[e.type] ?? String(e.type)),
      pdbPath: cv?.pdbPath ?? null,
      guid: cv?.guid ?? null,
      age: cv?.age ?? null,
    },
  };
}

/** Lays out rows as columns separated by two spaces, each as wide as its widest cell. */
export function table(rows: string[][], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) => indent + row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

function functionLabel(f: InfoFunction): string {
  return f.name !== undefined ? f.name : `#${f.ordinal}`;
}

export function formatInfo(r: InfoReport): string {
  const facts: [string, string][] = [
    ['File', `${r.file} (${r.fileSize} bytes)`],
    ['Format', `${r.format} ${r.kind === 'dll' ? 'DLL' : 'executable'}, machine ${r.machine}${r.managed ? ', .NET (CLR header)' : ''}`],
    ['Subsystem', `${r.subsystem} ${r.subsystemVersion}`],
    ['Image base', `${r.imageBase}, size ${r.sizeOfImage} (headers ${r.sizeOfHeaders})`],
    ['Entry point', r.entryPoint ?? 'none'],
    ['Stack', `reserve ${r.stackReserve}, commit ${r.stackCommit}`],
    ['Heap', `reserve ${r.heapReserve}, commit ${r.heapCommit}`],
    ['Characteristics', r.characteristics.join(' ') || '-'],
    ['DLL characteristics', r.dllCharacteristics.join(' ') || '-'],
    ['Linker / OS version', `${r.linkerVersion} / ${r.osVersion}`],
    ['Relocations', `${r.relocations.dir64} DIR64 in ${r.relocations.blocks} blocks`],
    ['Exception table', `${r.exceptions.functions} functions, ${r.exceptions.unwindInfos} unwind infos (${r.exceptions.withHandler} with handlers), ${r.exceptions.directorySize} bytes`],
    [
      'TLS',
      r.tls
        ? `template ${r.tls.rawData} (${r.tls.rawDataSize} bytes + ${r.tls.zeroFill} zero-fill), index at ${r.tls.indexRva ?? 'none'}, ${r.tls.callbacks.length} callbacks${r.tls.callbacks.length ? ': ' + r.tls.callbacks.join(' ') : ''}`
        : 'none',
    ],
    ['PDB', r.debug.pdbPath !== null ? `${r.debug.pdbPath} (${r.debug.guid}, age ${r.debug.age})` : 'none'],
  ];
  if (r.loadConfig) facts.push(['Load config', `${r.loadConfig.size} bytes, security cookie at ${r.loadConfig.securityCookieRva ?? 'none'}, guard flags ${r.loadConfig.guardFlags}`]);
  if (r.boundImports) facts.push(['Bound imports', 'present (ignored: winrun resolves every import itself)']);
  const width = Math.max(...facts.map(([k]) => k.length)) + 1;
  let out = facts.map(([k, v]) => `${(k + ':').padEnd(width)} ${v}`).join('\n') + '\n';

  out += `\nSections (${r.sections.length}):\n`;
  out += table([['name', 'rva', 'vsize', 'raw off', 'raw size', 'access', 'contents'], ...r.sections.map((s) => [s.name, s.rva, s.virtualSize, s.rawOffset, s.rawSize, s.access, s.contents.join(',')])]);

  const imports = (title: string, list: InfoImport[]): string => {
    if (list.length === 0) return '';
    const total = list.reduce((n, d) => n + d.functions.length, 0);
    let s = `\n${title} (${list.length} DLLs, ${total} functions):\n`;
    for (const d of list) {
      s += `  ${d.dll} (${d.functions.length})\n`;
      s += table(d.functions.map((f) => [functionLabel(f), f.ordinal !== undefined ? 'by ordinal' : `hint ${f.hint}`]), '    ');
    }
    return s;
  };
  out += imports('Imports', r.imports);
  out += imports('Delay-load imports', r.delayImports);

  if (r.exports) {
    out += `\nExports of ${r.exports.dllName || '(unnamed)'} (${r.exports.entries.length}, ordinal base ${r.exports.ordinalBase}):\n`;
    out += table([['ordinal', 'rva', 'name'], ...r.exports.entries.map((e) => [String(e.ordinal), e.rva ?? 'forward', (e.names.join(', ') || '(by ordinal only)') + (e.forwarder !== undefined ? ` -> ${e.forwarder}` : '')])]);
  }
  if (r.resources.length > 0) {
    out += `\nResources (${r.resources.length}):\n`;
    out += table([['type', 'name', 'lang', 'rva', 'size'], ...r.resources.map((x) => [x.type, x.name, String(x.language), x.rva, String(x.size)])]);
  }
  return out;
}
