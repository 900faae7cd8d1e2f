// Structure sizes against winnt.h, the error-kind table, and the package version.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { PE_ERROR_KINDS, structs } from '../src/pe/index.js';
import { VERSION } from '../src/version.js';
import { ROOT } from './helpers.js';

describe('binary layouts', () => {
  it('have their winnt.h sizes and field offsets', () => {
    const sizes: Record<string, number> = {
      IMAGE_DOS_HEADER: 64,
      IMAGE_FILE_HEADER: 20,
      IMAGE_OPTIONAL_HEADER64: 112,
      IMAGE_DATA_DIRECTORY: 8,
      IMAGE_SECTION_HEADER: 40,
      IMAGE_IMPORT_DESCRIPTOR: 20,
      IMAGE_DELAYLOAD_DESCRIPTOR: 32,
      IMAGE_EXPORT_DIRECTORY: 40,
      IMAGE_BASE_RELOCATION: 8,
      IMAGE_TLS_DIRECTORY64: 40,
      IMAGE_RUNTIME_FUNCTION_ENTRY: 12,
      IMAGE_RESOURCE_DIRECTORY: 16,
      IMAGE_RESOURCE_DIRECTORY_ENTRY: 8,
      IMAGE_RESOURCE_DATA_ENTRY: 16,
      IMAGE_DEBUG_DIRECTORY: 28,
      IMAGE_LOAD_CONFIG_DIRECTORY64: 148,
    };
    for (const [name, size] of Object.entries(sizes)) {
      const s = (structs as Record<string, { size: number }>)[name];
      assert.ok(s, name);
      assert.equal(s.size, size, name);
    }
    assert.equal(structs.IMAGE_DOS_HEADER.offsetOf.e_lfanew, 0x3c);
    assert.equal(structs.IMAGE_OPTIONAL_HEADER64.offsetOf.ImageBase, 24);
    assert.equal(structs.IMAGE_OPTIONAL_HEADER64.offsetOf.SizeOfImage, 56);
    assert.equal(structs.IMAGE_OPTIONAL_HEADER64.offsetOf.NumberOfRvaAndSizes, 108);
    assert.equal(structs.IMAGE_LOAD_CONFIG_DIRECTORY64.offsetOf.SecurityCookie, 0x58);
    assert.equal(structs.IMAGE_LOAD_CONFIG_DIRECTORY64.offsetOf.GuardFlags, 0x90);
  });
  it('documents every error kind', () => {
    for (const [kind, doc] of Object.entries(PE_ERROR_KINDS)) assert.ok(doc.length > 10, kind);
  });
  it('reports the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(ROOT + 'package.json', 'utf8')) as { version: string };
    assert.equal(VERSION, pkg.version);
  });
});
