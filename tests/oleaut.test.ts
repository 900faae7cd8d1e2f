// oleaut32's BSTR and VARIANT functions (what 7-Zip's 7za.exe imports, by ordinal), end to
// end against Wine 8's output, and the import-coverage report resolving builtin ordinals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';
import { validVariantType } from '../src/dlls/oleaut32/variant.js';
import { oleaut32 } from '../src/dlls/oleaut32/exports.js';
import { assignOrdinals } from '../src/loader/builtin.js';

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
