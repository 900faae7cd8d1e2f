/**
 * What a new winrun prefix's registry holds: the keys programs commonly read on Windows 10
 * 22H2 (build 19045), an English (United States) user. HKLM\HARDWARE and the code-page key
 * describe this machine and process, so they are volatile: rebuilt at every start, never
 * written.
 */
import { dwordValue, multiSzValue, qwordValue, REG_EXPAND_SZ, RegKey, type RegValue, szValue } from './regtree.js';

export interface SeedInfo {
  readonly userName: string;
  /** S-1-5-21-…-1000 */
  readonly userSid: string;
  /** Upper case, as GetComputerName gives it. */
  readonly computerName: string;
  readonly cpu: {
    readonly name: string;
    readonly mhz: number;
    readonly vendor: string;
    readonly family: number;
    readonly model: number;
    readonly stepping: number;
    readonly count: number;
  };
  readonly ansiCodePage: number;
  readonly oemCodePage: number;
  /** Random, made once per prefix: HKLM\SOFTWARE\Microsoft\Cryptography MachineGuid. */
  readonly machineGuid: string;
  /** Seconds since 1970 when the prefix's registry was made. */
  readonly installTime: number;
}

type Entry = string | number | bigint | readonly string[] | { expand: string };

function toValue(name: string, v: Entry): RegValue {
  if (typeof v === 'string') return szValue(name, v);
  if (typeof v === 'number') return dwordValue(name, v);
  if (typeof v === 'bigint') return qwordValue(name, v);
  if ('expand' in v) return szValue(name, v.expand, REG_EXPAND_SZ);
  return multiSzValue(name, v as readonly string[]);
}

function putAt(root: RegKey, path: string, values: Record<string, Entry>, now: bigint, volatile = false): RegKey {
  let k = root;
  for (const n of path.split('\\')) k = k.addChild(n, volatile || k.volatile, now);
  for (const [name, v] of Object.entries(values)) k.setValue(toValue(name === '@' ? '' : name, v), now);
  return k;
}

const FILETIME_EPOCH = 116444736000000000n;

/** HKEY_LOCAL_MACHINE as a new prefix has it (without the volatile keys). */
export function seedMachine(info: SeedInfo, now: bigint): RegKey {
  const root = new RegKey('', undefined, false, now);
  const put = (path: string, values: Record<string, Entry>): RegKey => putAt(root, path, values, now);
  const sysroot = 'C:\\windows';
  put('SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', {
    BuildBranch: 'vb_release',
    BuildLab: '19041.vb_release.191206-1406',
    BuildLabEx: '19041.1.amd64fre.vb_release.191206-1406',
    CompositionEditionID: 'Enterprise',
    CurrentBuild: '19045',
    CurrentBuildNumber: '19045',
    CurrentMajorVersionNumber: 10,
    CurrentMinorVersionNumber: 0,
    CurrentType: 'Multiprocessor Free',
    CurrentVersion: '6.3',
    DisplayVersion: '22H2',
    EditionID: 'Professional',
    InstallationType: 'Client',
    InstallDate: info.installTime,
    InstallTime: BigInt(info.installTime) * 10000000n + FILETIME_EPOCH,
    PathName: sysroot,
    ProductId: '00330-80000-00000-AA000',
    ProductName: 'Windows 10 Pro',
    RegisteredOrganization: '',
    RegisteredOwner: info.userName,
    ReleaseId: '2009',
    SoftwareType: 'System',
    SystemRoot: sysroot,
    UBR: 3803,
  });
  put(`SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\${info.userSid}`, {
    Flags: 0,
    ProfileImagePath: `C:\\users\\${info.userName}`,
    State: 0,
  });
  put('SOFTWARE\\Microsoft\\Windows\\CurrentVersion', {
    CommonFilesDir: 'C:\\Program Files\\Common Files',
    'CommonFilesDir (x86)': 'C:\\Program Files (x86)\\Common Files',
    CommonW6432Dir: 'C:\\Program Files\\Common Files',
    DevicePath: { expand: '%SystemRoot%\\inf' },
    MediaPathUnexpanded: { expand: '%SystemRoot%\\Media' },
    ProgramFilesDir: 'C:\\Program Files',
    'ProgramFilesDir (x86)': 'C:\\Program Files (x86)',
    ProgramFilesPath: { expand: '%ProgramFiles%' },
    ProgramW6432Dir: 'C:\\Program Files',
  });
  put('SOFTWARE\\Microsoft\\Cryptography', { MachineGuid: info.machineGuid });
  put('SOFTWARE\\Classes\\.exe', { '@': 'exefile', 'Content Type': 'application/x-msdownload' });
  put('SOFTWARE\\Classes\\.exe\\PersistentHandler', { '@': '{098f2470-bae0-11cd-b579-08002b30bfeb}' });
  put('SOFTWARE\\Classes\\exefile', { '@': 'Application', EditFlags: 0x38 });
  put('SOFTWARE\\Classes\\exefile\\DefaultIcon', { '@': '%1' });
  put('SOFTWARE\\Classes\\exefile\\shell\\open', { EditFlags: 0 });
  put('SOFTWARE\\Classes\\exefile\\shell\\open\\command', { '@': '"%1" %*', IsolatedCommand: '"%1" %*' });
  put('SOFTWARE\\Classes\\.txt', { '@': 'txtfile', 'Content Type': 'text/plain', PerceivedType: 'text' });
  put('SOFTWARE\\Classes\\txtfile', { '@': 'Text Document' });
  put('SOFTWARE\\Classes\\txtfile\\shell\\open\\command', { '@': { expand: '%SystemRoot%\\system32\\NOTEPAD.EXE %1' } });
  put('SOFTWARE\\Wow6432Node', {});
  put('SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName', { ComputerName: info.computerName });
  put('SYSTEM\\CurrentControlSet\\Control\\Session Manager', {});
  put('SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment', {
    ComSpec: { expand: '%SystemRoot%\\system32\\cmd.exe' },
    DriverData: 'C:\\Windows\\System32\\Drivers\\DriverData',
    OS: 'Windows_NT',
    Path: { expand: '%SystemRoot%\\system32;%SystemRoot%;%SystemRoot%\\System32\\Wbem;%SYSTEMROOT%\\System32\\WindowsPowerShell\\v1.0\\' },
    PATHEXT: '.COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC',
    PROCESSOR_ARCHITECTURE: 'AMD64',
    TEMP: { expand: '%SystemRoot%\\TEMP' },
    TMP: { expand: '%SystemRoot%\\TEMP' },
    USERNAME: 'SYSTEM',
    windir: { expand: '%SystemRoot%' },
  });
  put('SYSTEM\\CurrentControlSet\\Control\\Windows', { CSDVersion: 0 });
  put('SYSTEM\\CurrentControlSet\\Control\\Hardware Profiles\\Current', {});
  put('SYSTEM\\CurrentControlSet\\Services', {});
  return root;
}

/** HKEY_USERS\<sid>, which is HKEY_CURRENT_USER. */
export function seedUser(info: SeedInfo, now: bigint): RegKey {
  const root = new RegKey('', undefined, false, now);
  const put = (path: string, values: Record<string, Entry>, volatile = false): RegKey => putAt(root, path, values, now, volatile);
  put('Control Panel\\International', {
    Locale: '00000409',
    LocaleName: 'en-US',
    s1159: 'AM',
    s2359: 'PM',
    sCountry: 'United States',
    sCurrency: '$',
    sDate: '/',
    sDecimal: '.',
    sGrouping: '3;0',
    sLanguage: 'ENU',
    sList: ',',
    sLongDate: 'dddd, MMMM d, yyyy',
    sMonDecimalSep: '.',
    sMonGrouping: '3;0',
    sMonThousandSep: ',',
    sNativeDigits: '0123456789',
    sNegativeSign: '-',
    sPositiveSign: '',
    sShortDate: 'M/d/yyyy',
    sShortTime: 'h:mm tt',
    sThousand: ',',
    sTime: ':',
    sTimeFormat: 'h:mm:ss tt',
    sYearMonth: 'MMMM yyyy',
    iCalendarType: '1',
    iCountry: '1',
    iCurrDigits: '2',
    iCurrency: '0',
    iDate: '0',
    iDigits: '2',
    iFirstDayOfWeek: '6',
    iFirstWeekOfYear: '0',
    iLZero: '1',
    iMeasure: '1',
    iNegCurr: '0',
    iNegNumber: '1',
    iPaperSize: '1',
    iTime: '0',
    iTimePrefix: '0',
    iTLZero: '0',
    NumShape: '1',
  });
  put('Control Panel\\Desktop', {});
  put('Environment', {
    Path: { expand: '%USERPROFILE%\\AppData\\Local\\Microsoft\\WindowsApps;' },
    TEMP: { expand: '%USERPROFILE%\\AppData\\Local\\Temp' },
    TMP: { expand: '%USERPROFILE%\\AppData\\Local\\Temp' },
  });
  put('Software\\Classes', {});
  put('Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders', {
    AppData: `C:\\users\\${info.userName}\\AppData\\Roaming`,
    'Local AppData': `C:\\users\\${info.userName}\\AppData\\Local`,
  });
  put('Volatile Environment', {}, true);
  return root;
}

/** The volatile HKLM keys: this machine's processors, the process's code pages. */
export function addVolatileMachineKeys(root: RegKey, info: SeedInfo, now: bigint): void {
  const c = info.cpu;
  const identifier = `${c.vendor === 'AuthenticAMD' ? 'AMD64' : 'Intel64'} Family ${c.family} Model ${c.model} Stepping ${c.stepping}`;
  putAt(root, 'HARDWARE\\DESCRIPTION\\System', { Identifier: 'AT/AT COMPATIBLE' }, now, true);
  for (let i = 0; i < Math.max(1, c.count); i++) {
    putAt(root, `HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\${i}`, { '~MHz': c.mhz, Identifier: identifier, ProcessorNameString: c.name, VendorIdentifier: c.vendor, 'Platform ID': 1 }, now, true);
  }
  putAt(root, 'HARDWARE\\DEVICEMAP', {}, now, true);
  const cp = putAt(root, 'SYSTEM\\CurrentControlSet\\Control\\Nls', {}, now);
  putAt(cp, 'CodePage', { ACP: String(info.ansiCodePage), OEMCP: String(info.oemCodePage), MACCP: '10000' }, now, true);
}
