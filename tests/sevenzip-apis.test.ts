// What 7-Zip's 7za.exe needs beyond the rest of winrun, end to end against Wine 8's output:
// oleaut32's BSTR and VARIANT functions (imported by ordinal), file security descriptors,
// CharNextExA/CharPrevExA and the file APIs' code page switch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, scratchDir, wineOutput } from './helpers.js';
import { validVariantType } from '../src/dlls/oleaut32/variant.js';
import { oleaut32 } from '../src/dlls/oleaut32/exports.js';
import { assignOrdinals } from '../src/loader/builtin.js';
import { fileSecurityDescriptor } from '../src/dlls/advapi32/filesecurity.js';
import { sidBytes } from '../src/kernel/security.js';

describe('oleaut32', () => {
  it('allocates, reallocates and measures BSTRs and clears and copies VARIANTs as Windows does', () => {
    const r = runGuest(FIXTURES + 'oleaut.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\r\n').slice(0, -1), wineOutput('oleaut'));
  });
  it('exports each function at the ordinal Windows gives it', () => {
    const ords = assignOrdinals(oleaut32.exports);
    const at = (name: string): number => ords[oleaut32.exports.findIndex((r) => r.name === name)]!;
    assert.deepEqual([at('SysAllocString'), at('SysFreeString'), at('SysStringLen'), at('VariantClear'), at('VariantCopy')], [2, 6, 7, 9, 10]);
    assert.deepEqual([at('SysStringByteLen'), at('SysAllocStringByteLen')], [149, 150]);
  });
  it('accepts the VARIANT types Windows accepts', () => {
    assert.equal(validVariantType(12, false), true); // VT_VARIANT
    assert.equal(validVariantType(0x4000, false), false); // VT_EMPTY | VT_BYREF
    assert.equal(validVariantType(64, false), false); // VT_FILETIME: PROPVARIANT only
    assert.equal(validVariantType(72, false), true); // VT_CLSID: VariantClear only
    assert.equal(validVariantType(72, true), false);
    assert.equal(validVariantType(0x1003, false), false); // VT_VECTOR
  });
});

describe('advapi32, user32 and kernel32 for 7za', () => {
  it('describe a file\'s security, step over DBCS characters and switch the file APIs to OEM', () => {
    const r = runGuest(FIXTURES + 'filesec.exe', [], scratchDir());
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\r\n').slice(0, -1), wineOutput('filesec'));
  });
});

describe('file security descriptors', () => {
  const user = { authority: 5, subs: [21, 1, 2, 3, 1000] };
  const group = { authority: 5, subs: [21, 1, 2, 3, 513] };
  it('are self-relative, SACL/DACL/owner/group in Windows\' order, with inherited ACEs', () => {
    const sd = fileSecurityDescriptor(user, group, 0o644, 7);
    const dv = new DataView(sd.buffer);
    assert.equal(dv.getUint16(2, true), 0x8404); // SELF_RELATIVE | DACL_AUTO_INHERITED | DACL_PRESENT
    const dacl = dv.getUint32(16, true);
    const owner = dv.getUint32(4, true);
    assert.equal(dacl, 20);
    assert.equal(dv.getUint16(dacl + 4, true), 4); // SYSTEM, Administrators, the user, Users
    assert.equal(sd[dacl + 8 + 1], 0x10); // INHERITED_ACE
    assert.deepEqual(sd.subarray(owner, owner + 28), sidBytes(user));
    assert.deepEqual(sd.subarray(dv.getUint32(8, true)), sidBytes(group));
  });
  it('give the user read and execute only on a file without write permission, and hold only what is asked', () => {
    const sd = fileSecurityDescriptor(user, group, 0o400, 4);
    const dv = new DataView(sd.buffer);
    assert.equal(dv.getUint32(4, true), 0);
    assert.equal(dv.getUint16(20 + 4, true), 3);
    assert.equal(dv.getUint32(20 + 8 + 20 + 4, true), 0x1f01ff); // Administrators (after SYSTEM's 20-byte ACE)
    const userAce = 20 + 8 + 20 + 24;
    assert.equal(dv.getUint32(userAce + 4, true), 0x1200a9); // the user: read and execute
  });
});
