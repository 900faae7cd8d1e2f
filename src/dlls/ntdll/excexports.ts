/** The structured-exception exports, shared by the tables of the DLLs that export them. */
import type { ExportRow } from '../types.js';
import { RtlCaptureStackBackTrace } from './excbacktrace.js';
import { C_specific_handler } from './cspecific.js';
import * as dispatch from './excdispatch.js';
import * as unwind from './excunwind.js';
import { CLEANUP_FILTER, CONTINUE_DISPATCH, CONTINUE_UNWIND } from './excnative.js';
import { cleanupFilter } from '../vcruntime140/cxxframe.js';
import * as vec from './excvector.js';
import * as unwinder from './rtlunwind.js';

const backTrace: ExportRow = { name: 'RtlCaptureStackBackTrace', args: ['u32', 'u32', 'ptr', 'ptr'], ret: 'u16', impl: RtlCaptureStackBackTrace };
const captureContext: ExportRow = { name: 'RtlCaptureContext', args: ['ptr'], ret: 'void', impl: unwind.RtlCaptureContext };
const raiseException: ExportRow = { name: 'RtlRaiseException', args: ['ptr'], ret: 'void', impl: dispatch.RtlRaiseException };
const restoreContext: ExportRow = { name: 'RtlRestoreContext', args: ['ptr', 'ptr'], ret: 'void', impl: unwind.RtlRestoreContext };
const unwindRow: ExportRow = { name: 'RtlUnwind', args: ['ptr', 'ptr', 'ptr', 'u64'], ret: 'void', impl: unwind.RtlUnwind };
const unwindEx: ExportRow = { name: 'RtlUnwindEx', args: ['ptr', 'ptr', 'ptr', 'u64', 'ptr', 'ptr'], ret: 'void', native: 'RtlUnwindEx', impl: unwind.RtlUnwindEx };
const lookupEntry: ExportRow = { name: 'RtlLookupFunctionEntry', args: ['ptr', 'ptr', 'ptr'], ret: 'ptr', impl: unwinder.RtlLookupFunctionEntry };
const pcToFileHeader: ExportRow = { name: 'RtlPcToFileHeader', args: ['ptr', 'ptr'], ret: 'ptr', impl: unwinder.RtlPcToFileHeader };
const virtualUnwind: ExportRow = { name: 'RtlVirtualUnwind', args: ['u32', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'ptr', impl: unwinder.RtlVirtualUnwind };
export const C_SPECIFIC_HANDLER: ExportRow = { name: '__C_specific_handler', args: ['ptr', 'ptr', 'ptr', 'ptr'], ret: 'u32', impl: C_specific_handler };

export const NTDLL_EXCEPTION_EXPORTS: readonly ExportRow[] = [
  // winrun's own: the exception core's way back into the JS dispatch (ntdll/excnative.ts).
  { name: CONTINUE_DISPATCH, args: ['ptr', 'ptr', 'ptr', 'i32'], ret: 'void', impl: dispatch.continueDispatch },
  { name: CONTINUE_UNWIND, args: ['ptr', 'ptr', 'ptr', 'ptr', 'u64', 'ptr', 'i32'], ret: 'void', impl: unwind.continueUnwind },
  // The exception handler of its C++ cleanup runner (vcruntime140/cxxframe.ts).
  { name: CLEANUP_FILTER, args: ['ptr', 'ptr', 'ptr', 'ptr'], ret: 'u32', impl: cleanupFilter },
  { name: 'KiUserExceptionDispatcher', args: [], ret: 'void', impl: dispatch.KiUserExceptionDispatcher },
  { name: 'NtContinue', args: ['ptr', 'u8'], ret: 'u32', impl: unwind.NtContinue },
  { name: 'NtRaiseException', args: ['ptr', 'ptr', 'u8'], ret: 'u32', impl: dispatch.NtRaiseException },
  { name: 'RtlAddVectoredContinueHandler', args: ['u32', 'ptr'], ret: 'ptr', impl: vec.AddVectoredContinueHandler },
  { name: 'RtlAddVectoredExceptionHandler', args: ['u32', 'ptr'], ret: 'ptr', impl: vec.AddVectoredExceptionHandler },
  backTrace,
  captureContext,
  lookupEntry,
  pcToFileHeader,
  raiseException,
  { name: 'RtlRemoveVectoredContinueHandler', args: ['ptr'], ret: 'u32', impl: vec.RemoveVectoredContinueHandler },
  { name: 'RtlRemoveVectoredExceptionHandler', args: ['ptr'], ret: 'u32', impl: vec.RemoveVectoredExceptionHandler },
  restoreContext,
  unwindRow,
  unwindEx,
  virtualUnwind,
  { name: 'ZwContinue', args: ['ptr', 'u8'], ret: 'u32', impl: unwind.NtContinue },
  { name: 'ZwRaiseException', args: ['ptr', 'ptr', 'u8'], ret: 'u32', impl: dispatch.NtRaiseException },
  C_SPECIFIC_HANDLER,
];

export const KERNEL32_EXCEPTION_EXPORTS: readonly ExportRow[] = [
  { name: 'AddVectoredContinueHandler', args: ['u32', 'ptr'], ret: 'ptr', impl: vec.AddVectoredContinueHandler },
  { name: 'AddVectoredExceptionHandler', args: ['u32', 'ptr'], ret: 'ptr', impl: vec.AddVectoredExceptionHandler },
  { name: 'RaiseException', args: ['u32', 'u32', 'u32', 'ptr'], ret: 'void', native: 'RaiseException', impl: dispatch.RaiseException },
  { name: 'RemoveVectoredContinueHandler', args: ['ptr'], ret: 'u32', impl: vec.RemoveVectoredContinueHandler },
  { name: 'RemoveVectoredExceptionHandler', args: ['ptr'], ret: 'u32', impl: vec.RemoveVectoredExceptionHandler },
  backTrace,
  captureContext,
  lookupEntry,
  pcToFileHeader,
  raiseException,
  restoreContext,
  unwindRow,
  unwindEx,
  virtualUnwind,
  { name: 'UnhandledExceptionFilter', args: ['ptr'], ret: 'i32', impl: dispatch.UnhandledExceptionFilter },
];
