/**
 * The winnt.h layouts the parser reads, with their sizes asserted (STYLE.md 5).
 */
import { defineStruct } from './struct.js';

export const IMAGE_DOS_HEADER = defineStruct(
  'IMAGE_DOS_HEADER',
  [
    ['e_magic', 'u16'],
    ['e_cblp', 'u16'],
    ['e_cp', 'u16'],
    ['e_crlc', 'u16'],
    ['e_cparhdr', 'u16'],
    ['e_minalloc', 'u16'],
    ['e_maxalloc', 'u16'],
    ['e_ss', 'u16'],
    ['e_sp', 'u16'],
    ['e_csum', 'u16'],
    ['e_ip', 'u16'],
    ['e_cs', 'u16'],
    ['e_lfarlc', 'u16'],
    ['e_ovno', 'u16'],
    ['e_res', { bytes: 8 }],
    ['e_oemid', 'u16'],
    ['e_oeminfo', 'u16'],
    ['e_res2', { bytes: 20 }],
    ['e_lfanew', 'u32'],
  ],
  64,
);

export const IMAGE_FILE_HEADER = defineStruct(
  'IMAGE_FILE_HEADER',
  [
    ['Machine', 'u16'],
    ['NumberOfSections', 'u16'],
    ['TimeDateStamp', 'u32'],
    ['PointerToSymbolTable', 'u32'],
    ['NumberOfSymbols', 'u32'],
    ['SizeOfOptionalHeader', 'u16'],
    ['Characteristics', 'u16'],
  ],
  20,
);

/** IMAGE_OPTIONAL_HEADER64 without its DataDirectory array (read separately, since
 *  NumberOfRvaAndSizes says how many entries exist). */
export const IMAGE_OPTIONAL_HEADER64 = defineStruct(
  'IMAGE_OPTIONAL_HEADER64',
  [
    ['Magic', 'u16'],
    ['MajorLinkerVersion', 'u8'],
    ['MinorLinkerVersion', 'u8'],
    ['SizeOfCode', 'u32'],
    ['SizeOfInitializedData', 'u32'],
    ['SizeOfUninitializedData', 'u32'],
    ['AddressOfEntryPoint', 'u32'],
    ['BaseOfCode', 'u32'],
    ['ImageBase', 'u64'],
    ['SectionAlignment', 'u32'],
    ['FileAlignment', 'u32'],
    ['MajorOperatingSystemVersion', 'u16'],
    ['MinorOperatingSystemVersion', 'u16'],
    ['MajorImageVersion', 'u16'],
    ['MinorImageVersion', 'u16'],
    ['MajorSubsystemVersion', 'u16'],
    ['MinorSubsystemVersion', 'u16'],
    ['Win32VersionValue', 'u32'],
    ['SizeOfImage', 'u32'],
    ['SizeOfHeaders', 'u32'],
    ['CheckSum', 'u32'],
    ['Subsystem', 'u16'],
    ['DllCharacteristics', 'u16'],
    ['SizeOfStackReserve', 'u64'],
    ['SizeOfStackCommit', 'u64'],
    ['SizeOfHeapReserve', 'u64'],
    ['SizeOfHeapCommit', 'u64'],
    ['LoaderFlags', 'u32'],
    ['NumberOfRvaAndSizes', 'u32'],
  ],
  112,
);

export const IMAGE_DATA_DIRECTORY = defineStruct(
  'IMAGE_DATA_DIRECTORY',
  [
    ['VirtualAddress', 'u32'],
    ['Size', 'u32'],
  ],
  8,
);

export const IMAGE_SECTION_HEADER = defineStruct(
  'IMAGE_SECTION_HEADER',
  [
    ['Name', { bytes: 8 }],
    ['VirtualSize', 'u32'],
    ['VirtualAddress', 'u32'],
    ['SizeOfRawData', 'u32'],
    ['PointerToRawData', 'u32'],
    ['PointerToRelocations', 'u32'],
    ['PointerToLinenumbers', 'u32'],
    ['NumberOfRelocations', 'u16'],
    ['NumberOfLinenumbers', 'u16'],
    ['Characteristics', 'u32'],
  ],
  40,
);

export const IMAGE_IMPORT_DESCRIPTOR = defineStruct(
  'IMAGE_IMPORT_DESCRIPTOR',
  [
    ['OriginalFirstThunk', 'u32'],
    ['TimeDateStamp', 'u32'],
    ['ForwarderChain', 'u32'],
    ['Name', 'u32'],
    ['FirstThunk', 'u32'],
  ],
  20,
);

export const IMAGE_DELAYLOAD_DESCRIPTOR = defineStruct(
  'IMAGE_DELAYLOAD_DESCRIPTOR',
  [
    ['Attributes', 'u32'],
    ['DllNameRVA', 'u32'],
    ['ModuleHandleRVA', 'u32'],
    ['ImportAddressTableRVA', 'u32'],
    ['ImportNameTableRVA', 'u32'],
    ['BoundImportAddressTableRVA', 'u32'],
    ['UnloadInformationTableRVA', 'u32'],
    ['TimeDateStamp', 'u32'],
  ],
  32,
);

export const IMAGE_EXPORT_DIRECTORY = defineStruct(
  'IMAGE_EXPORT_DIRECTORY',
  [
    ['Characteristics', 'u32'],
    ['TimeDateStamp', 'u32'],
    ['MajorVersion', 'u16'],
    ['MinorVersion', 'u16'],
    ['Name', 'u32'],
    ['Base', 'u32'],
    ['NumberOfFunctions', 'u32'],
    ['NumberOfNames', 'u32'],
    ['AddressOfFunctions', 'u32'],
    ['AddressOfNames', 'u32'],
    ['AddressOfNameOrdinals', 'u32'],
  ],
  40,
);

export const IMAGE_BASE_RELOCATION = defineStruct(
  'IMAGE_BASE_RELOCATION',
  [
    ['VirtualAddress', 'u32'],
    ['SizeOfBlock', 'u32'],
  ],
  8,
);

export const IMAGE_TLS_DIRECTORY64 = defineStruct(
  'IMAGE_TLS_DIRECTORY64',
  [
    ['StartAddressOfRawData', 'u64'],
    ['EndAddressOfRawData', 'u64'],
    ['AddressOfIndex', 'u64'],
    ['AddressOfCallBacks', 'u64'],
    ['SizeOfZeroFill', 'u32'],
    ['Characteristics', 'u32'],
  ],
  40,
);

export const IMAGE_RUNTIME_FUNCTION_ENTRY = defineStruct(
  'IMAGE_RUNTIME_FUNCTION_ENTRY',
  [
    ['BeginAddress', 'u32'],
    ['EndAddress', 'u32'],
    ['UnwindData', 'u32'],
  ],
  12,
);

/** UNWIND_INFO's fixed part; the UNWIND_CODE array (2 bytes each) follows. */
export const UNWIND_INFO = defineStruct(
  'UNWIND_INFO',
  [
    ['VersionAndFlags', 'u8'],
    ['SizeOfProlog', 'u8'],
    ['CountOfCodes', 'u8'],
    ['FrameRegisterAndOffset', 'u8'],
  ],
  4,
);

export const IMAGE_RESOURCE_DIRECTORY = defineStruct(
  'IMAGE_RESOURCE_DIRECTORY',
  [
    ['Characteristics', 'u32'],
    ['TimeDateStamp', 'u32'],
    ['MajorVersion', 'u16'],
    ['MinorVersion', 'u16'],
    ['NumberOfNamedEntries', 'u16'],
    ['NumberOfIdEntries', 'u16'],
  ],
  16,
);

export const IMAGE_RESOURCE_DIRECTORY_ENTRY = defineStruct(
  'IMAGE_RESOURCE_DIRECTORY_ENTRY',
  [
    ['Name', 'u32'],
    ['OffsetToData', 'u32'],
  ],
  8,
);

export const IMAGE_RESOURCE_DATA_ENTRY = defineStruct(
  'IMAGE_RESOURCE_DATA_ENTRY',
  [
    ['OffsetToData', 'u32'],
    ['Size', 'u32'],
    ['CodePage', 'u32'],
    ['Reserved', 'u32'],
  ],
  16,
);

export const IMAGE_DEBUG_DIRECTORY = defineStruct(
  'IMAGE_DEBUG_DIRECTORY',
  [
    ['Characteristics', 'u32'],
    ['TimeDateStamp', 'u32'],
    ['MajorVersion', 'u16'],
    ['MinorVersion', 'u16'],
    ['Type', 'u32'],
    ['SizeOfData', 'u32'],
    ['AddressOfRawData', 'u32'],
    ['PointerToRawData', 'u32'],
  ],
  28,
);

/** CV_INFO_PDB70: the CodeView record a debug directory of type CODEVIEW points at. */
export const CV_INFO_PDB70 = defineStruct(
  'CV_INFO_PDB70',
  [
    ['CvSignature', 'u32'],
    ['Signature', { bytes: 16 }],
    ['Age', 'u32'],
  ],
  24,
);

/** IMAGE_LOAD_CONFIG_DIRECTORY64 up to GuardFlags; later fields are not needed. The
 *  structure's own Size field says how much of it a given image has. */
export const IMAGE_LOAD_CONFIG_DIRECTORY64 = defineStruct(
  'IMAGE_LOAD_CONFIG_DIRECTORY64',
  [
    ['Size', 'u32'],
    ['TimeDateStamp', 'u32'],
    ['MajorVersion', 'u16'],
    ['MinorVersion', 'u16'],
    ['GlobalFlagsClear', 'u32'],
    ['GlobalFlagsSet', 'u32'],
    ['CriticalSectionDefaultTimeout', 'u32'],
    ['DeCommitFreeBlockThreshold', 'u64'],
    ['DeCommitTotalFreeThreshold', 'u64'],
    ['LockPrefixTable', 'u64'],
    ['MaximumAllocationSize', 'u64'],
    ['VirtualMemoryThreshold', 'u64'],
    ['ProcessAffinityMask', 'u64'],
    ['ProcessHeapFlags', 'u32'],
    ['CSDVersion', 'u16'],
    ['DependentLoadFlags', 'u16'],
    ['EditList', 'u64'],
    ['SecurityCookie', 'u64'],
    ['SEHandlerTable', 'u64'],
    ['SEHandlerCount', 'u64'],
    ['GuardCFCheckFunctionPointer', 'u64'],
    ['GuardCFDispatchFunctionPointer', 'u64'],
    ['GuardCFFunctionTable', 'u64'],
    ['GuardCFFunctionCount', 'u64'],
    ['GuardFlags', 'u32'],
  ],
  148,
);
