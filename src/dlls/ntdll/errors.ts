/** NTSTATUS → Win32 errors and the two per-thread error values of the TEB (LastErrorValue,
 *  LastStatusValue), over the one table in kernel/ntstatus.ts. */
import { win32FromNtStatus } from '../../kernel/ntstatus.js';
import { TEB } from '../../native/layout.js';
import type { ApiContext } from '../types.js';

/** RtlNtStatusToDosError also records the status in the TEB's LastStatusValue (which
 *  RtlGetLastNtStatus reads); the NoTeb variant only converts. */
export function RtlNtStatusToDosError(ctx: ApiContext, status: number): number {
  ctx.mem.setU32(ctx.teb + TEB.LastStatusValue, status);
  return win32FromNtStatus(status);
}

export function RtlNtStatusToDosErrorNoTeb(_ctx: ApiContext, status: number): number {
  return win32FromNtStatus(status);
}

export function RtlGetLastNtStatus(ctx: ApiContext): number {
  return ctx.mem.u32(ctx.teb + TEB.LastStatusValue);
}

export function RtlSetLastWin32ErrorAndNtStatusFromNtStatus(ctx: ApiContext, status: number): void {
  ctx.setLastError(RtlNtStatusToDosError(ctx, status));
}
