/**
 * The adapter between the exception machinery and the x64 unwinder (kernel/unwind.ts): finding
 * a function's RUNTIME_FUNCTION and unwinding one frame of a CONTEXT in guest memory.
 */
import type { ApiContext } from '../types.js';

export function lookupFunction(_ctx: ApiContext, _pc: number): { entry: number; imageBase: number } | undefined {
  return undefined;
}

export function unwindFunction(_ctx: ApiContext, _handlerType: number, _imageBase: number, _pc: number, _entry: number, _context: number): { handler: number; handlerData: number; establisherFrame: number } {
  throw new Error('unwinder not yet wired');
}
