import { HostError } from '../host/errors.js';
import { isPeError } from '../pe/index.js';

/** Failures while starting a program, each with the NTSTATUS Windows would exit with. */
export const STATUS_DLL_NOT_FOUND = 0xc0000135;
export const STATUS_ENTRYPOINT_NOT_FOUND = 0xc0000139;
export const STATUS_INVALID_IMAGE_FORMAT = 0xc000007b;
export const STATUS_CONFLICTING_ADDRESSES = 0xc0000018;
export const STATUS_DLL_INIT_FAILED = 0xc0000142;
/** Exit status when a JS exception escapes an API implementation (a winrun bug). */
export const EXIT_INTERNAL_ERROR = 70;
/** Exit status of a call to an unimplemented function (STATUS_PROCEDURE_NOT_FOUND). */
export const STATUS_PROCEDURE_NOT_FOUND = 0xc000007a;

export class LoaderError extends Error {
  override readonly name = 'LoaderError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Thrown out of a JS → guest call when the guest jumped (longjmp, an exception unwind) to a
 * frame older than that call: the JS frames in between unwind normally, and the export call
 * that the target frame made performs the jump in its epilogue (DESIGN.md §2).
 */
export class GuestUnwind extends Error {
  override readonly name = 'GuestUnwind';
}

/** Win32 errors of failed loads. */
export function loadError(e: unknown): number | undefined {
  if (e instanceof LoaderError) {
    switch (e.status) {
      case STATUS_INVALID_IMAGE_FORMAT:
        return 193; // ERROR_BAD_EXE_FORMAT
      case STATUS_DLL_INIT_FAILED:
        return 1114; // ERROR_DLL_INIT_FAILED
      case STATUS_CONFLICTING_ADDRESSES:
        return 487; // ERROR_INVALID_ADDRESS
      case STATUS_PROCEDURE_NOT_FOUND:
        return 127; // ERROR_PROC_NOT_FOUND
      default:
        return 126; // ERROR_MOD_NOT_FOUND
    }
  }
  if (isPeError(e)) return 193;
  if (e instanceof HostError) return e.code === 'EACCES' ? 5 : 126;
  return undefined;
}
