/** Numeric constants from winnt.h and their display names. */

export const IMAGE_DOS_SIGNATURE = 0x5a4d; // "MZ"
export const IMAGE_NT_SIGNATURE = 0x00004550; // "PE\0\0"
export const IMAGE_NT_OPTIONAL_HDR32_MAGIC = 0x10b;
export const IMAGE_NT_OPTIONAL_HDR64_MAGIC = 0x20b;
export const IMAGE_ROM_OPTIONAL_HDR_MAGIC = 0x107;

export const IMAGE_FILE_MACHINE_AMD64 = 0x8664;
export const IMAGE_FILE_MACHINE_I386 = 0x14c;

/** Machine names, as `dumpbin` and `llvm-readobj` spell them. */
export const MACHINE_NAMES: Readonly<Record<number, string>> = {
  0x0: 'unknown',
  0x14c: 'i386',
  0x166: 'r4000',
  0x1a2: 'sh3',
  0x1a6: 'sh4',
  0x1c0: 'arm',
  0x1c2: 'thumb',
  0x1c4: 'armnt',
  0x200: 'ia64',
  0x5032: 'riscv32',
  0x5064: 'riscv64',
  0x8664: 'x86-64',
  0xa641: 'arm64ec',
  0xa64e: 'arm64x',
  0xaa64: 'arm64',
  0xebc: 'ebc',
};

export function machineName(m: number): string {
  return MACHINE_NAMES[m] ?? `0x${m.toString(16)}`;
}

// IMAGE_FILE_HEADER.Characteristics
export const IMAGE_FILE_RELOCS_STRIPPED = 0x0001;
export const IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002;
export const IMAGE_FILE_LARGE_ADDRESS_AWARE = 0x0020;
export const IMAGE_FILE_DLL = 0x2000;

export const FILE_CHARACTERISTICS: readonly (readonly [number, string])[] = [
  [0x0001, 'RELOCS_STRIPPED'],
  [0x0002, 'EXECUTABLE_IMAGE'],
  [0x0004, 'LINE_NUMS_STRIPPED'],
  [0x0008, 'LOCAL_SYMS_STRIPPED'],
  [0x0020, 'LARGE_ADDRESS_AWARE'],
  [0x0100, '32BIT_MACHINE'],
  [0x0200, 'DEBUG_STRIPPED'],
  [0x1000, 'SYSTEM'],
  [0x2000, 'DLL'],
];

export const SUBSYSTEM_NAMES: Readonly<Record<number, string>> = {
  0: 'unknown',
  1: 'native',
  2: 'windows-gui',
  3: 'windows-cui',
  5: 'os2-cui',
  7: 'posix-cui',
  9: 'windows-ce-gui',
  10: 'efi-application',
  11: 'efi-boot-service-driver',
  12: 'efi-runtime-driver',
  13: 'efi-rom',
  14: 'xbox',
  16: 'windows-boot-application',
};
export const IMAGE_SUBSYSTEM_WINDOWS_GUI = 2;
export const IMAGE_SUBSYSTEM_WINDOWS_CUI = 3;

export function subsystemName(s: number): string {
  return SUBSYSTEM_NAMES[s] ?? `subsystem ${s}`;
}

// IMAGE_OPTIONAL_HEADER64.DllCharacteristics
export const IMAGE_DLLCHARACTERISTICS_HIGH_ENTROPY_VA = 0x0020;
export const IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE = 0x0040;
export const IMAGE_DLLCHARACTERISTICS_NX_COMPAT = 0x0100;

export const DLL_CHARACTERISTICS: readonly (readonly [number, string])[] = [
  [0x0020, 'HIGH_ENTROPY_VA'],
  [0x0040, 'DYNAMIC_BASE'],
  [0x0080, 'FORCE_INTEGRITY'],
  [0x0100, 'NX_COMPAT'],
  [0x0200, 'NO_ISOLATION'],
  [0x0400, 'NO_SEH'],
  [0x0800, 'NO_BIND'],
  [0x1000, 'APPCONTAINER'],
  [0x2000, 'WDM_DRIVER'],
  [0x4000, 'GUARD_CF'],
  [0x8000, 'TERMINAL_SERVER_AWARE'],
];

// IMAGE_SECTION_HEADER.Characteristics
export const IMAGE_SCN_CNT_CODE = 0x00000020;
export const IMAGE_SCN_CNT_INITIALIZED_DATA = 0x00000040;
export const IMAGE_SCN_CNT_UNINITIALIZED_DATA = 0x00000080;
export const IMAGE_SCN_MEM_DISCARDABLE = 0x02000000;
export const IMAGE_SCN_MEM_SHARED = 0x10000000;
export const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
export const IMAGE_SCN_MEM_READ = 0x40000000;
export const IMAGE_SCN_MEM_WRITE = 0x80000000;

/** Data directory indices (IMAGE_DIRECTORY_ENTRY_*). */
export const DIRECTORY_NAMES = [
  'export',
  'import',
  'resource',
  'exception',
  'security',
  'basereloc',
  'debug',
  'architecture',
  'globalptr',
  'tls',
  'load_config',
  'bound_import',
  'iat',
  'delay_import',
  'com_descriptor',
  'reserved',
] as const;
export type DirectoryName = (typeof DIRECTORY_NAMES)[number];
export const IMAGE_NUMBEROF_DIRECTORY_ENTRIES = 16;

export const Dir = {
  Export: 0,
  Import: 1,
  Resource: 2,
  Exception: 3,
  Security: 4,
  BaseReloc: 5,
  Debug: 6,
  Tls: 9,
  LoadConfig: 10,
  BoundImport: 11,
  Iat: 12,
  DelayImport: 13,
  ComDescriptor: 14,
} as const;

// Base relocation types
export const IMAGE_REL_BASED_ABSOLUTE = 0;
export const IMAGE_REL_BASED_DIR64 = 10;
export const RELOCATION_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'ABSOLUTE',
  1: 'HIGH',
  2: 'LOW',
  3: 'HIGHLOW',
  4: 'HIGHADJ',
  5: 'MIPS_JMPADDR/ARM_MOV32',
  7: 'THUMB_MOV32',
  9: 'MIPS_JMPADDR16',
  10: 'DIR64',
};

// Debug directory types
export const IMAGE_DEBUG_TYPE_CODEVIEW = 2;
export const DEBUG_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'unknown',
  1: 'coff',
  2: 'codeview',
  3: 'fpo',
  4: 'misc',
  5: 'exception',
  6: 'fixup',
  9: 'borland',
  11: 'clsid',
  12: 'vc_feature',
  13: 'pogo',
  14: 'iltcg',
  16: 'repro',
  20: 'ex_dllcharacteristics',
};

/** Predefined resource types (RT_*). */
export const RESOURCE_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'RT_CURSOR',
  2: 'RT_BITMAP',
  3: 'RT_ICON',
  4: 'RT_MENU',
  5: 'RT_DIALOG',
  6: 'RT_STRING',
  7: 'RT_FONTDIR',
  8: 'RT_FONT',
  9: 'RT_ACCELERATOR',
  10: 'RT_RCDATA',
  11: 'RT_MESSAGETABLE',
  12: 'RT_GROUP_CURSOR',
  14: 'RT_GROUP_ICON',
  16: 'RT_VERSION',
  17: 'RT_DLGINCLUDE',
  19: 'RT_PLUGPLAY',
  20: 'RT_VXD',
  21: 'RT_ANICURSOR',
  22: 'RT_ANIICON',
  23: 'RT_HTML',
  24: 'RT_MANIFEST',
};

export function flagNames(value: number, table: readonly (readonly [number, string])[]): string[] {
  const out: string[] = [];
  for (const [bit, name] of table) if ((value & bit) !== 0) out.push(name);
  return out;
}
