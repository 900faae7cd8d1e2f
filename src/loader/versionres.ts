/**
 * A resource section holding one version resource, for the synthesized builtin DLL images:
 * GetFileVersionInfo("kernel32.dll") is how some programs learn the Windows version, so the
 * builtins report Windows 10's (10.0.19041, the base of the 19045 release winrun reports).
 */

/** The file and product version of the builtins: major, minor, build, revision. */
export const BUILTIN_VERSION = [10, 0, 19041, 1] as const;

const RT_VERSION = 16;
const VS_VERSION_INFO = 1;
const LANG_EN_US = 0x409;
const CP_UNICODE = 1200;

function utf16z(s: string): Uint8Array {
  const b = new Uint8Array(2 * s.length + 2);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < s.length; i++) dv.setUint16(2 * i, s.charCodeAt(i), true);
  return b;
}

const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

/** One VS_VERSIONINFO node: header, key, value (text or binary), children, each 4-aligned. */
function node(key: string, value: string | Uint8Array | undefined, children: Uint8Array[] = []): Uint8Array {
  const k = utf16z(key);
  const v = typeof value === 'string' ? utf16z(value) : (value ?? new Uint8Array(0));
  const valueAt = pad4(6 + k.length);
  let size = pad4(valueAt + v.length);
  const childAt: number[] = [];
  for (const c of children) {
    childAt.push(size);
    size = pad4(size + c.length);
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, size, true);
  dv.setUint16(2, typeof value === 'string' ? value.length + 1 : v.length, true);
  dv.setUint16(4, typeof value === 'string' ? 1 : 0, true);
  out.set(k, 6);
  out.set(v, valueAt);
  children.forEach((c, i) => out.set(c, childAt[i]!));
  return out;
}

/** VS_VERSIONINFO of a builtin DLL. */
export function builtinVersionInfo(fileName: string, description: string): Uint8Array {
  const [major, minor, build, revision] = BUILTIN_VERSION;
  const fixed = new Uint8Array(52);
  const f = new DataView(fixed.buffer);
  f.setUint32(0, 0xfeef04bd, true); // dwSignature
  f.setUint32(4, 0x10000, true); // dwStrucVersion
  f.setUint32(8, (major << 16) | minor, true); // dwFileVersionMS
  f.setUint32(12, ((build << 16) | revision) >>> 0, true);
  f.setUint32(16, (major << 16) | minor, true); // dwProductVersionMS
  f.setUint32(20, ((build << 16) | revision) >>> 0, true);
  f.setUint32(24, 0x3f, true); // dwFileFlagsMask
  f.setUint32(32, 0x40004, true); // dwFileOS: VOS_NT_WINDOWS32
  f.setUint32(36, 2, true); // dwFileType: VFT_DLL
  const version = BUILTIN_VERSION.join('.');
  const strings = [
    ['CompanyName', 'winrun'],
    ['FileDescription', description],
    ['FileVersion', version],
    ['InternalName', fileName.replace(/\.dll$/i, '')],
    ['OriginalFilename', fileName],
    ['ProductName', 'winrun'],
    ['ProductVersion', version],
  ].map(([k, v]) => node(k!, v!));
  const translation = new Uint8Array(4);
  new DataView(translation.buffer).setUint32(0, (CP_UNICODE << 16) | LANG_EN_US, true);
  return node('VS_VERSION_INFO', fixed, [
    node('StringFileInfo', undefined, [node('040904B0', undefined, strings)]),
    node('VarFileInfo', undefined, [node('Translation', translation)]),
  ]);
}

/** A .rsrc section at `rva` with `data` as resource RT_VERSION / 1 / en-US. */
export function versionResourceSection(rva: number, data: Uint8Array): Uint8Array {
  const DIR = 16;
  const ENTRY = 8;
  const typeDir = DIR + ENTRY;
  const nameDir = typeDir + DIR + ENTRY;
  const dataEntry = nameDir + DIR + ENTRY;
  const dataAt = dataEntry + 16;
  const out = new Uint8Array(dataAt + data.length);
  const dv = new DataView(out.buffer);
  const directory = (at: number, id: number, target: number): void => {
    dv.setUint16(at + 14, 1, true); // NumberOfIdEntries
    dv.setUint32(at + DIR, id, true);
    dv.setUint32(at + DIR + 4, target >>> 0, true);
  };
  directory(0, RT_VERSION, 0x80000000 | typeDir);
  directory(typeDir, VS_VERSION_INFO, 0x80000000 | nameDir);
  directory(nameDir, LANG_EN_US, dataEntry);
  dv.setUint32(dataEntry, rva + dataAt, true); // OffsetToData (an RVA)
  dv.setUint32(dataEntry + 4, data.length, true);
  out.set(data, dataAt);
  return out;
}
