/** ADVAPI32.dll: the registry, access tokens and SIDs, account and privilege names, and random
 *  numbers (STYLE.md 1). HKEY and token arguments are u64: predefined keys are sign-extended
 *  32-bit values (HKEY_LOCAL_MACHINE is 0xffffffff80000002), and token pseudo-handles are
 *  negative. */
import type { DllTable } from '../types.js';
import * as fsec from './filesecurity.js';
import * as rs from './ntsecapi.js';
import * as pt from './processthreadsapi.js';
import * as key from './regkey.js';
import * as val from './regvalue.js';
import * as sd from './secdesc.js';
import * as sec from './securitybaseapi.js';
import * as sid from './sid.js';
import * as acct from './winbase.js';
import * as crypt from './wincrypt.js';

const U32x8 = ['u32', 'u32', 'u32', 'u32', 'u32', 'u32', 'u32', 'u32'] as const;
const P11 = ['ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'] as const;

export const advapi32: DllTable = {
  name: 'advapi32.dll',
  exports: [
    { name: 'AdjustTokenPrivileges', args: ['u64', 'bool', 'ptr', 'u32', 'ptr', 'ptr'], ret: 'bool', impl: sec.AdjustTokenPrivileges },
    { name: 'AllocateAndInitializeSid', args: ['ptr', 'u8', ...U32x8, 'ptr'], ret: 'bool', impl: sid.AllocateAndInitializeSid },
    { name: 'CheckTokenMembership', args: ['u64', 'ptr', 'ptr'], ret: 'bool', impl: sec.CheckTokenMembership },
    { name: 'ConvertSidToStringSidA', args: ['ptr', 'ptr'], ret: 'bool', impl: sid.ConvertSidToStringSidA },
    { name: 'ConvertSidToStringSidW', args: ['ptr', 'ptr'], ret: 'bool', impl: sid.ConvertSidToStringSidW },
    { name: 'ConvertStringSidToSidA', args: ['ptr', 'ptr'], ret: 'bool', impl: sid.ConvertStringSidToSidA },
    { name: 'ConvertStringSidToSidW', args: ['ptr', 'ptr'], ret: 'bool', impl: sid.ConvertStringSidToSidW },
    { name: 'CopySid', args: ['u32', 'ptr', 'ptr'], ret: 'bool', impl: sid.CopySid },
    { name: 'CryptAcquireContextA', args: ['ptr', 'ptr', 'ptr', 'u32', 'u32'], ret: 'bool', impl: crypt.CryptAcquireContextA },
    { name: 'CryptAcquireContextW', args: ['ptr', 'ptr', 'ptr', 'u32', 'u32'], ret: 'bool', impl: crypt.CryptAcquireContextW },
    { name: 'CryptGenRandom', args: ['u64', 'u32', 'ptr'], ret: 'bool', impl: crypt.CryptGenRandom },
    { name: 'CryptReleaseContext', args: ['u64', 'u32'], ret: 'bool', impl: crypt.CryptReleaseContext },
    { name: 'EqualSid', args: ['ptr', 'ptr'], ret: 'bool', impl: sid.EqualSid },
    { name: 'FreeSid', args: ['ptr'], ret: 'ptr', impl: sid.FreeSid },
    { name: 'GetFileSecurityA', args: ['ptr', 'u32', 'ptr', 'u32', 'ptr'], ret: 'bool', impl: fsec.GetFileSecurityA },
    { name: 'GetFileSecurityW', args: ['ptr', 'u32', 'ptr', 'u32', 'ptr'], ret: 'bool', impl: fsec.GetFileSecurityW },
    { name: 'GetLengthSid', args: ['ptr'], ret: 'u32', impl: sid.GetLengthSid },
    { name: 'GetSecurityDescriptorControl', args: ['ptr', 'ptr', 'ptr'], ret: 'bool', impl: sd.GetSecurityDescriptorControl },
    { name: 'GetSecurityDescriptorDacl', args: ['ptr', 'ptr', 'ptr', 'ptr'], ret: 'bool', impl: sd.GetSecurityDescriptorDacl },
    { name: 'GetSecurityDescriptorGroup', args: ['ptr', 'ptr', 'ptr'], ret: 'bool', impl: sd.GetSecurityDescriptorGroup },
    { name: 'GetSecurityDescriptorLength', args: ['ptr'], ret: 'u32', impl: sd.GetSecurityDescriptorLength },
    { name: 'GetSecurityDescriptorOwner', args: ['ptr', 'ptr', 'ptr'], ret: 'bool', impl: sd.GetSecurityDescriptorOwner },
    { name: 'GetSidIdentifierAuthority', args: ['ptr'], ret: 'ptr', impl: sid.GetSidIdentifierAuthority },
    { name: 'GetSidLengthRequired', args: ['u8'], ret: 'u32', impl: sid.GetSidLengthRequired },
    { name: 'GetSidSubAuthority', args: ['ptr', 'u32'], ret: 'ptr', impl: sid.GetSidSubAuthority },
    { name: 'GetSidSubAuthorityCount', args: ['ptr'], ret: 'ptr', impl: sid.GetSidSubAuthorityCount },
    { name: 'GetTokenInformation', args: ['u64', 'u32', 'ptr', 'u32', 'ptr'], ret: 'bool', impl: sec.GetTokenInformation },
    { name: 'GetUserNameA', args: ['ptr', 'ptr'], ret: 'bool', impl: acct.GetUserNameA },
    { name: 'GetUserNameW', args: ['ptr', 'ptr'], ret: 'bool', impl: acct.GetUserNameW },
    { name: 'InitializeSid', args: ['ptr', 'ptr', 'u8'], ret: 'bool', impl: sid.InitializeSid },
    { name: 'IsValidSecurityDescriptor', args: ['ptr'], ret: 'bool', impl: sd.IsValidSecurityDescriptor },
    { name: 'IsValidSid', args: ['ptr'], ret: 'bool', impl: sid.IsValidSid },
    { name: 'LookupAccountSidA', args: ['ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'bool', impl: acct.LookupAccountSidA },
    { name: 'LookupAccountSidW', args: ['ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'bool', impl: acct.LookupAccountSidW },
    { name: 'LookupPrivilegeNameA', args: ['ptr', 'ptr', 'ptr', 'ptr'], ret: 'bool', impl: acct.LookupPrivilegeNameA },
    { name: 'LookupPrivilegeNameW', args: ['ptr', 'ptr', 'ptr', 'ptr'], ret: 'bool', impl: acct.LookupPrivilegeNameW },
    { name: 'LookupPrivilegeValueA', args: ['ptr', 'ptr', 'ptr'], ret: 'bool', impl: acct.LookupPrivilegeValueA },
    { name: 'LookupPrivilegeValueW', args: ['ptr', 'ptr', 'ptr'], ret: 'bool', impl: acct.LookupPrivilegeValueW },
    { name: 'OpenProcessToken', args: ['u64', 'u32', 'ptr'], ret: 'bool', impl: pt.OpenProcessToken },
    { name: 'OpenThreadToken', args: ['u64', 'u32', 'bool', 'ptr'], ret: 'bool', impl: pt.OpenThreadToken },
    { name: 'RegCloseKey', args: ['u64'], ret: 'i32', impl: key.RegCloseKey },
    { name: 'RegCreateKeyA', args: ['u64', 'ptr', 'ptr'], ret: 'i32', impl: key.RegCreateKeyA },
    { name: 'RegCreateKeyExA', args: ['u64', 'ptr', 'u32', 'ptr', 'u32', 'u32', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: key.RegCreateKeyExA },
    { name: 'RegCreateKeyExW', args: ['u64', 'ptr', 'u32', 'ptr', 'u32', 'u32', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: key.RegCreateKeyExW },
    { name: 'RegCreateKeyW', args: ['u64', 'ptr', 'ptr'], ret: 'i32', impl: key.RegCreateKeyW },
    { name: 'RegDeleteKeyA', args: ['u64', 'ptr'], ret: 'i32', impl: key.RegDeleteKeyA },
    { name: 'RegDeleteKeyExA', args: ['u64', 'ptr', 'u32', 'u32'], ret: 'i32', impl: key.RegDeleteKeyExA },
    { name: 'RegDeleteKeyExW', args: ['u64', 'ptr', 'u32', 'u32'], ret: 'i32', impl: key.RegDeleteKeyExW },
    { name: 'RegDeleteKeyValueA', args: ['u64', 'ptr', 'ptr'], ret: 'i32', impl: val.RegDeleteKeyValueA },
    { name: 'RegDeleteKeyValueW', args: ['u64', 'ptr', 'ptr'], ret: 'i32', impl: val.RegDeleteKeyValueW },
    { name: 'RegDeleteKeyW', args: ['u64', 'ptr'], ret: 'i32', impl: key.RegDeleteKeyW },
    { name: 'RegDeleteTreeA', args: ['u64', 'ptr'], ret: 'i32', impl: key.RegDeleteTreeA },
    { name: 'RegDeleteTreeW', args: ['u64', 'ptr'], ret: 'i32', impl: key.RegDeleteTreeW },
    { name: 'RegDeleteValueA', args: ['u64', 'ptr'], ret: 'i32', impl: val.RegDeleteValueA },
    { name: 'RegDeleteValueW', args: ['u64', 'ptr'], ret: 'i32', impl: val.RegDeleteValueW },
    { name: 'RegDisablePredefinedCache', args: [], ret: 'i32', impl: key.RegDisablePredefinedCache },
    { name: 'RegEnumKeyA', args: ['u64', 'u32', 'ptr', 'u32'], ret: 'i32', impl: key.RegEnumKeyA },
    { name: 'RegEnumKeyExA', args: ['u64', 'u32', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: key.RegEnumKeyExA },
    { name: 'RegEnumKeyExW', args: ['u64', 'u32', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: key.RegEnumKeyExW },
    { name: 'RegEnumKeyW', args: ['u64', 'u32', 'ptr', 'u32'], ret: 'i32', impl: key.RegEnumKeyW },
    { name: 'RegEnumValueA', args: ['u64', 'u32', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: val.RegEnumValueA },
    { name: 'RegEnumValueW', args: ['u64', 'u32', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: val.RegEnumValueW },
    { name: 'RegFlushKey', args: ['u64'], ret: 'i32', impl: key.RegFlushKey },
    { name: 'RegGetValueA', args: ['u64', 'ptr', 'ptr', 'u32', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: val.RegGetValueA },
    { name: 'RegGetValueW', args: ['u64', 'ptr', 'ptr', 'u32', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: val.RegGetValueW },
    { name: 'RegNotifyChangeKeyValue', args: ['u64', 'bool', 'u32', 'ptr', 'bool'], ret: 'i32', impl: key.RegNotifyChangeKeyValue },
    { name: 'RegOpenCurrentUser', args: ['u32', 'ptr'], ret: 'i32', impl: key.RegOpenCurrentUser },
    { name: 'RegOpenKeyA', args: ['u64', 'ptr', 'ptr'], ret: 'i32', impl: key.RegOpenKeyA },
    { name: 'RegOpenKeyExA', args: ['u64', 'ptr', 'u32', 'u32', 'ptr'], ret: 'i32', impl: key.RegOpenKeyExA },
    { name: 'RegOpenKeyExW', args: ['u64', 'ptr', 'u32', 'u32', 'ptr'], ret: 'i32', impl: key.RegOpenKeyExW },
    { name: 'RegOpenKeyW', args: ['u64', 'ptr', 'ptr'], ret: 'i32', impl: key.RegOpenKeyW },
    { name: 'RegQueryInfoKeyA', args: ['u64', ...P11], ret: 'i32', impl: key.RegQueryInfoKeyA },
    { name: 'RegQueryInfoKeyW', args: ['u64', ...P11], ret: 'i32', impl: key.RegQueryInfoKeyW },
    { name: 'RegQueryValueExA', args: ['u64', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: val.RegQueryValueExA },
    { name: 'RegQueryValueExW', args: ['u64', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: val.RegQueryValueExW },
    { name: 'RegSetKeyValueA', args: ['u64', 'ptr', 'ptr', 'u32', 'ptr', 'u32'], ret: 'i32', impl: val.RegSetKeyValueA },
    { name: 'RegSetKeyValueW', args: ['u64', 'ptr', 'ptr', 'u32', 'ptr', 'u32'], ret: 'i32', impl: val.RegSetKeyValueW },
    { name: 'RegSetValueExA', args: ['u64', 'ptr', 'u32', 'u32', 'ptr', 'u32'], ret: 'i32', impl: val.RegSetValueExA },
    { name: 'RegSetValueExW', args: ['u64', 'ptr', 'u32', 'u32', 'ptr', 'u32'], ret: 'i32', impl: val.RegSetValueExW },
    { name: 'SetFileSecurityA', args: ['ptr', 'u32', 'ptr'], ret: 'bool', impl: fsec.SetFileSecurityA },
    { name: 'SetFileSecurityW', args: ['ptr', 'u32', 'ptr'], ret: 'bool', impl: fsec.SetFileSecurityW },
    { name: 'SystemFunction036', args: ['ptr', 'u32'], ret: 'u8', impl: rs.SystemFunction036 },
  ],
  // Changes not yet written (a key never closed) reach the file at exit.
  detach: (ctx) => ctx.process.registry.flush(false),
};
