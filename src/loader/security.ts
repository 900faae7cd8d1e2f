/** The process's registry and access token, made on first use (start-up pays for neither). */
import { hostFs } from '../host/fs.js';
import { computerName } from '../dlls/kernel32/sysinfoapi.js';
import { hostCpu } from '../host/hostinfo.js';
import { hostPid, monotonicMs } from '../host/io.js';
import { gettid } from '../native/host.js';
import { secureRandomFill } from '../host/random.js';
import type { DebugChannels } from '../kernel/debug.js';
import type { HandleTable } from '../kernel/handles.js';
import type { DosDrives } from '../kernel/paths.js';
import { Registry } from '../kernel/registry.js';
import type { RegistryKeyPaths } from '../kernel/regpaths.js';
import { machineSubAuthorities, ProcessToken, sidString } from '../kernel/security.js';

const FILETIME_1970 = 116444736000000000n;

export function createToken(drives: DosDrives): ProcessToken {
  return new ProcessToken(drives.userName, computerName(0) || 'WINRUN', machineSubAuthorities(drives.prefix));
}

/** A random GUID in MachineGuid's form (lower case, no braces). */
function randomGuid(): string {
  const g = new Uint8Array(16);
  secureRandomFill(g);
  const hex = Array.from(g, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function createRegistry(
  proc: { readonly handles: HandleTable; readonly drives: DosDrives; readonly codePages: { readonly ansi: number; readonly oem: number }; readonly threaded: () => boolean; readonly regPaths: RegistryKeyPaths },
  token: ProcessToken,
  debug: DebugChannels,
): Registry {
  const userSid = sidString(token.user);
  return new Registry({
    fs: hostFs,
    handles: proc.handles,
    dir: proc.drives.prefix,
    userSid,
    seedInfo: () => ({
      userName: proc.drives.userName,
      userSid,
      computerName: token.computerName,
      cpu: hostCpu(),
      ansiCodePage: proc.codePages.ansi,
      oemCodePage: proc.codePages.oem,
      machineGuid: randomGuid(),
      installTime: Math.floor(Date.now() / 1000),
    }),
    report: (func, text) => debug.log('reg', 'err', func, text),
    tag: `${hostPid()}-${gettid()}`,
    threaded: proc.threaded,
    paths: proc.regPaths,
    now: () => BigInt(Date.now()) * 10000n + FILETIME_1970,
    clockMs: monotonicMs,
  });
}
