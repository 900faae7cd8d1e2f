/**
 * Layouts of the loader's guest-visible structures (x64, winternl.h and the documented parts
 * of the PEB / LDR data).
 */
export const PEB = {
  BeingDebugged: 0x02,
  ImageBaseAddress: 0x10,
  Ldr: 0x18,
  ProcessParameters: 0x20,
  ProcessHeap: 0x30,
  NumberOfProcessors: 0xb8,
  NtGlobalFlag: 0xbc,
  OSMajorVersion: 0x118,
  OSMinorVersion: 0x11c,
  OSBuildNumber: 0x120,
  OSPlatformId: 0x124,
  ImageSubsystem: 0x128,
  ImageSubsystemMajorVersion: 0x12c,
  ImageSubsystemMinorVersion: 0x130,
  SessionId: 0x2c0,
  Size: 0x7c8,
} as const;

export const PEB_LDR_DATA = {
  Length: 0x00,
  Initialized: 0x04,
  InLoadOrderModuleList: 0x10,
  InMemoryOrderModuleList: 0x20,
  InInitializationOrderModuleList: 0x30,
  Size: 0x58,
} as const;

export const LDR_DATA_TABLE_ENTRY = {
  InLoadOrderLinks: 0x00,
  InMemoryOrderLinks: 0x10,
  InInitializationOrderLinks: 0x20,
  DllBase: 0x30,
  EntryPoint: 0x38,
  SizeOfImage: 0x40,
  FullDllName: 0x48,
  BaseDllName: 0x58,
  Flags: 0x68,
  LoadCount: 0x6c,
  TlsIndex: 0x6e,
  HashLinks: 0x70,
  TimeDateStamp: 0x80,
  Size: 0x120,
} as const;

export const RTL_USER_PROCESS_PARAMETERS = {
  MaximumLength: 0x00,
  Length: 0x04,
  Flags: 0x08,
  ConsoleHandle: 0x10,
  StandardInput: 0x20,
  StandardOutput: 0x28,
  StandardError: 0x30,
  CurrentDirectoryPath: 0x38,
  CurrentDirectoryHandle: 0x48,
  DllPath: 0x50,
  ImagePathName: 0x60,
  CommandLine: 0x70,
  Environment: 0x80,
  WindowTitle: 0xb0,
  EnvironmentSize: 0x3f0,
  Size: 0x400,
} as const;

/** UNICODE_STRING: Length u16, MaximumLength u16, (pad), Buffer ptr at +8. */
export const UNICODE_STRING_SIZE = 16;
