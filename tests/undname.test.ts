// type_info::name() of MSVC-built programs: the decorated names in RTTI type descriptors
// undecorated as Windows' runtime shows them on x64. The names a real program prints are
// checked against Wine 8 by cxx_msvcrt.exe (tests/cxx-msvc.test.ts); these are the forms that
// need back-references and nested templates, whose spelling Microsoft's own STL names show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { undecorateTypeName } from '../src/dlls/vcruntime140/undname.js';

describe('undecorating RTTI type names', () => {
  it('a template argument list ending in a template gets a space before its ">"', () => {
    assert.equal(undecorateTypeName('?AV?$vector@HV?$allocator@H@std@@@std@@'), 'class std::vector<int,class std::allocator<int> >');
  });
  it('a digit refers back to a name already seen in the same template (std here)', () => {
    assert.equal(
      undecorateTypeName('?AV?$basic_string@DU?$char_traits@D@std@@V?$allocator@D@2@@std@@'),
      'class std::basic_string<char,struct std::char_traits<char>,class std::allocator<char> >',
    );
  });
  it('a digit in an argument list refers back to an earlier multi-character argument type', () => {
    assert.equal(undecorateTypeName('P6AXPEAH0@Z'), 'void (__cdecl*)(int * __ptr64,int * __ptr64)');
  });
  it('references, const pointers and arrays of pointers', () => {
    assert.equal(undecorateTypeName('AEBH'), 'int const & __ptr64');
    assert.equal(undecorateTypeName('QEAD'), 'char * __ptr64 const');
    assert.equal(undecorateTypeName('$$BY01PEAD'), 'char * __ptr64 [2]');
  });
  it('gives up on what it does not know instead of guessing', () => {
    assert.equal(undecorateTypeName('?AV@@'), undefined);
    assert.equal(undecorateTypeName('H@'), undefined);
    assert.equal(undecorateTypeName('Z'), undefined);
    assert.equal(undecorateTypeName('?AVfoo'), undefined);
  });
});
