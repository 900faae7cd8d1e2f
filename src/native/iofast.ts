/**
 * Machine code for ReadFile, WriteFile and FindNextFileA/W on ordinary files, with no JS: the
 * JS round trip (koffi's callback, argument decoding, Node's fs wrapper) cost more per call
 * than the system call itself (BENCHMARKS.md). The code reads the process handle table and
 * lock count in place (their SharedArrayBuffers' memory, FastPathEnv) and makes the system
 * call; everything it does not handle goes to the JS implementation with the arguments as
 * they came, having changed nothing the guest can see:
 *   - any handle but an open file with the right access, an OVERLAPPED, a zero length, a
 *     byte-range lock anywhere in the process;
 *   - a count or record pointer that is not on the thread's stack (that is where programs
 *     keep them; elsewhere JS validates the address against the address space);
 *   - a read that errs or comes back short (end of file, or a buffer that stops being
 *     writable part way): the file position is put back and JS does the read over, so that a
 *     bad buffer still fails with ERROR_NOACCESS;
 *   - a write that errs before writing anything;
 *   - FindNextFile at the end of the search, on an entry statx no longer finds (JS skips it),
 *     or with a time outside what a FILETIME holds.
 * One difference from the JS path remains, for a write buffer that is valid only part way:
 * the valid part is written and WriteFile reports that count (as Wine does), where JS would
 * refuse the whole call with ERROR_NOACCESS before writing.
 */
import { type Asm, Label, R } from './emitter.js';
import { TEB } from './layout.js';
import { HandleType, HANDLE_SLOT_SIZE, MAX_HANDLES } from '../kernel/handles.js';
import {
  ENTRY_LEN16,
  ENTRY_LEN8,
  ENTRY_NAME16,
  ENTRY_NAME8,
  FIND_DATA_A,
  FIND_DATA_NAME,
  FIND_DATA_W,
  FIND_NAME_MAX,
  SEARCH_COUNT,
  SEARCH_DIRFD,
  SEARCH_ENTRIES,
  SEARCH_ENTRY_SIZE,
  SEARCH_NEXT,
  SEARCH_STATX,
  STATX_BTIME,
  STATX_MASK_BASIC_AND_BTIME,
  STX_ATIME,
  STX_BTIME,
  STX_MASK,
  STX_MODE,
  STX_MTIME,
  STX_SIZE,
} from '../kernel/searchblock.js';

export type IoFastPath = 'ReadFile' | 'WriteFile' | 'FindNextFileA' | 'FindNextFileW';

/** Where the process tables are, for the machine code. */
export interface IoTables {
  /** The handle table's slots (kernel/handles.ts). */
  handleTable: number;
  /** The lock table's count word (kernel/locks.ts). */
  lockCount: number;
}

// winnt.h access rights, Linux system call numbers and errno values.
const FILE_READ_DATA = 0x1;
const FILE_WRITE_DATA = 0x2;
const FILE_APPEND_DATA = 0x4;
const SYS_READ = 0;
const SYS_WRITE = 1;
const SYS_LSEEK = 8;
const SYS_STATX = 332;
const SEEK_CUR = 1;
const EINTR = 4;
const EAGAIN = 11;
// FILETIME: 100 ns units since 1601.
const EPOCH_1601_SECONDS = 11644473600;
const FILE_ATTRIBUTE_READONLY = 0x1;
const FILE_ATTRIBUTE_DIRECTORY = 0x10;
const FILE_ATTRIBUTE_ARCHIVE = 0x20;

// jcc condition nibbles.
const JB = 2;
const JAE = 3;
const JE = 4;
const JNE = 5;
const JA = 7;
const JLE = 0xe;

/** r10 = the handle table slot of the handle in RCX, or a jump to `slow` unless it is one of
 *  `type`. Clobbers RAX. */
function emitSlot(a: Asm, t: IoTables, type: HandleType, slow: Label): void {
  a.testImm32(R.rcx, 3).jcc(JNE, slow);
  a.cmpImm64(R.rcx, MAX_HANDLES * 4).jcc(JAE, slow); // unsigned: pseudo-handles and -1 too
  // slot = table + (h / 4) * 32
  a.movImm64(R.r10, t.handleTable).movRR(R.rax, R.rcx).shlImm(R.rax, Math.log2(HANDLE_SLOT_SIZE / 4)).addRR(R.r10, R.rax);
  a.load32(R.rax, R.r10, 0).cmpImm32(R.rax, type).jcc(JNE, slow);
}

/** A jump to `slow` unless `size` bytes at `p` (a register) lie on this thread's stack, where
 *  every page is committed and writable. Clobbers RAX. */
function emitOnStack(a: Asm, p: R, size: number, slow: Label): void {
  a.loadGs(R.rax, TEB.StackLimit).cmpRR(p, R.rax).jcc(JB, slow);
  a.loadGs(R.rax, TEB.StackBase).subImm(R.rax, size).cmpRR(p, R.rax).jcc(JA, slow);
}

/**
 * ReadFile(h, buf, n, *count, overlapped) and WriteFile alike. The arguments are kept in the
 * home area for the slow path (at RSP+8, or RSP+24 after the two pushes).
 */
function emitFileIo(a: Asm, t: IoTables, write: boolean, slowThunk: () => void): void {
  const slow = new Label();
  const restore = new Label();
  const countOk = new Label();
  const done = new Label();
  a.store(R.rsp, 8, R.rcx).store(R.rsp, 16, R.rdx).store(R.rsp, 24, R.r8).store(R.rsp, 32, R.r9);
  a.load(R.rax, R.rsp, 40).testRR(R.rax, R.rax).jcc(JNE, slow); // OVERLAPPED
  emitSlot(a, t, HandleType.File, slow);
  a.load32(R.rax, R.r10, 12).testImm32(R.rax, write ? FILE_WRITE_DATA | FILE_APPEND_DATA : FILE_READ_DATA).jcc(JE, slow);
  a.movImm64(R.rax, t.lockCount).load32(R.rax, R.rax, 0).testRR32(R.rax, R.rax).jcc(JNE, slow);
  a.movRR32(R.r8, R.r8).testRR(R.r8, R.r8).jcc(JE, slow); // the DWORD length; 0 bytes: JS checks buf
  a.testRR(R.r9, R.r9).jcc(JE, countOk);
  emitOnStack(a, R.r9, 4, slow);
  a.bind(countOk);
  a.push(R.rsi).push(R.rdi); // callee-saved in the Microsoft ABI
  a.load32(R.rdi, R.r10, 4).movRR(R.rsi, R.rdx).movRR(R.rdx, R.r8);
  if (!write) {
    const short = new Label();
    a.movImm32(R.rax, SYS_READ).syscall();
    a.cmpRR(R.rax, R.r8).jcc(JNE, short);
    a.jmp(done);
    // Short: put the position back (lseek by -count) and let JS read it again and judge.
    a.bind(short).testRR(R.rax, R.rax).jcc(JLE, restore);
    a.load32(R.rdi, R.r10, 4).xorRR32(R.rsi, R.rsi).subRR(R.rsi, R.rax).movImm32(R.rdx, SEEK_CUR).movImm32(R.rax, SYS_LSEEK).syscall();
    a.jmp(restore);
  } else {
    // Short writes continue, EINTR and EAGAIN retry, as JS's loop does; an error after a part
    // was written reports that part. RSI walks the buffer, RDX counts what is left.
    const again = new Label();
    const failed = new Label();
    a.bind(again).movImm32(R.rax, SYS_WRITE).syscall();
    a.testRR(R.rax, R.rax).jcc(JLE, failed);
    a.addRR(R.rsi, R.rax).subRR(R.rdx, R.rax).jcc(JNE, again);
    a.movRR(R.rax, R.r8).jmp(done);
    a.bind(failed).cmpImm64(R.rax, -EINTR).jcc(JE, again).cmpImm64(R.rax, -EAGAIN).jcc(JE, again);
    a.movRR(R.rax, R.rsi).load(R.rcx, R.rsp, 16 + 16).subRR(R.rax, R.rcx); // written: RSI - buf
    a.testRR(R.rax, R.rax).jcc(JE, restore);
  }
  a.bind(done).pop(R.rdi).pop(R.rsi);
  const noCount = new Label();
  a.testRR(R.r9, R.r9).jcc(JE, noCount).store32(R.r9, 0, R.rax);
  a.bind(noCount).movImm32(R.rax, 1).ret();
  a.bind(restore).pop(R.rdi).pop(R.rsi);
  a.bind(slow);
  a.load(R.rcx, R.rsp, 8).load(R.rdx, R.rsp, 16).load(R.r8, R.rsp, 24).load(R.r9, R.rsp, 32);
  slowThunk();
}

/**
 * FILETIME of the statx timestamp at `at` (i64 seconds, u32 nanoseconds) of the block in R11,
 * into `dst`; a jump to `slow` when the time is before 1601 or past year ~36,000 (JS formats
 * those). Clobbers RAX.
 */
function emitFileTime(a: Asm, dst: R, at: number, slow: Label): void {
  a.load(dst, R.r11, SEARCH_STATX + at).movImm64(R.rax, EPOCH_1601_SECONDS).addRR(dst, R.rax);
  a.movRR(R.rax, dst).shrImm(R.rax, 40).jcc(JNE, slow);
  a.imulImm(dst, dst, 10_000_000);
  // nanoseconds / 100, exact for any 32-bit value: (n * 0x51eb851f) >> 37
  a.load32(R.rax, R.r11, SEARCH_STATX + at + 8).imulImm(R.rax, R.rax, 0x51eb851f).shrImm(R.rax, 37).addRR(dst, R.rax);
}

/**
 * FindNextFile(h, out): statx the next name of the search block and fill the caller's
 * WIN32_FIND_DATA as findfile.ts's putRecord does. The home area keeps h and out (for the
 * slow path) and the block and entry addresses across the system call.
 */
function emitFindNext(a: Asm, t: IoTables, wide: boolean, slowThunk: () => void): void {
  const slow = new Label();
  const restore = new Label();
  const size = wide ? FIND_DATA_W : FIND_DATA_A;
  a.store(R.rsp, 8, R.rcx).store(R.rsp, 16, R.rdx);
  emitSlot(a, t, HandleType.Find, slow);
  a.load(R.r11, R.r10, 4); // the block (value, words 1–2)
  emitOnStack(a, R.rdx, size, slow);
  a.load32(R.rax, R.r11, SEARCH_NEXT).load32(R.r9, R.r11, SEARCH_COUNT).cmpRR(R.rax, R.r9).jcc(JAE, slow);
  a.shlImm(R.rax, Math.log2(SEARCH_ENTRY_SIZE)).lea(R.r9, R.r11, SEARCH_ENTRIES).addRR(R.r9, R.rax); // the entry
  a.load32(R.rax, R.r9, wide ? ENTRY_LEN16 : ENTRY_LEN8).cmpImm32(R.rax, FIND_NAME_MAX).jcc(JA, slow); // JS truncates
  a.store(R.rsp, 24, R.r11).store(R.rsp, 32, R.r9);
  a.push(R.rsi).push(R.rdi);
  // statx(dirfd, name, 0, mask, block's buffer)
  a.load32(R.rdi, R.r11, SEARCH_DIRFD).load32(R.rsi, R.r9, ENTRY_NAME8).addRR(R.rsi, R.r11);
  a.xorRR32(R.rdx, R.rdx).movImm32(R.r10, STATX_MASK_BASIC_AND_BTIME).lea(R.r8, R.r11, SEARCH_STATX);
  a.movImm32(R.rax, SYS_STATX).syscall();
  a.testRR(R.rax, R.rax).jcc(JNE, restore); // gone since, or a dangling link: JS skips it
  a.load(R.r11, R.rsp, 24 + 16).load(R.r9, R.rsp, 32 + 16);
  // A record of zeros, as putRecord starts.
  a.load(R.rdi, R.rsp, 16 + 16).movImm32(R.rcx, size).xorRR32(R.rax, R.rax).repStosb();
  a.load(R.rdx, R.rsp, 16 + 16);
  // Times: creation (the birth time when the file system has one, else the change of data).
  const noBirth = new Label();
  const created = new Label();
  a.load32(R.rax, R.r11, SEARCH_STATX + STX_MASK).testImm32(R.rax, STATX_BTIME).jcc(JE, noBirth);
  emitFileTime(a, R.rcx, STX_BTIME, restore);
  a.jmp(created).bind(noBirth);
  emitFileTime(a, R.rcx, STX_MTIME, restore);
  a.bind(created).store(R.rdx, 4, R.rcx);
  emitFileTime(a, R.rcx, STX_ATIME, restore);
  a.store(R.rdx, 12, R.rcx);
  emitFileTime(a, R.rcx, STX_MTIME, restore);
  a.store(R.rdx, 20, R.rcx);
  // Attributes and size: a directory has no size; no write bit at all makes it read-only.
  const isDir = new Label();
  const writable = new Label();
  const attrs = new Label();
  a.load32(R.rax, R.r11, SEARCH_STATX + STX_MODE).andImm32(R.rax, 0xffff);
  a.movImm32(R.r8, FILE_ATTRIBUTE_ARCHIVE).movRR32(R.rcx, R.rax).andImm32(R.rcx, 0xf000).cmpImm32(R.rcx, 0x4000).jcc(JE, isDir);
  a.load(R.rcx, R.r11, SEARCH_STATX + STX_SIZE).store32(R.rdx, 32, R.rcx).shrImm(R.rcx, 32).store32(R.rdx, 28, R.rcx).jmp(attrs);
  a.bind(isDir).movImm32(R.r8, FILE_ATTRIBUTE_DIRECTORY);
  a.bind(attrs).testImm32(R.rax, 0o222).jcc(JNE, writable).orImm8(R.r8, FILE_ATTRIBUTE_READONLY);
  a.bind(writable).store32(R.rdx, 0, R.r8);
  // The name, UTF-16 or UTF-8 as the block holds it; its NUL is among the zeros.
  a.load32(R.rsi, R.r9, wide ? ENTRY_NAME16 : ENTRY_NAME8).addRR(R.rsi, R.r11);
  a.load32(R.rcx, R.r9, wide ? ENTRY_LEN16 : ENTRY_LEN8);
  if (wide) a.addRR(R.rcx, R.rcx);
  a.lea(R.rdi, R.rdx, FIND_DATA_NAME).repMovsb();
  a.load32(R.rax, R.r11, SEARCH_NEXT).inc(R.rax).store32(R.r11, SEARCH_NEXT, R.rax);
  a.pop(R.rdi).pop(R.rsi).movImm32(R.rax, 1).ret();
  a.bind(restore).pop(R.rdi).pop(R.rsi);
  a.bind(slow).load(R.rcx, R.rsp, 8).load(R.rdx, R.rsp, 16);
  slowThunk();
}

/** Emits the fast path, or only the slow thunk when the tables are not known. */
export function emitIoFastPath(a: Asm, kind: IoFastPath, tables: IoTables | undefined, slowThunk: () => void): void {
  if (!tables) {
    slowThunk();
    return;
  }
  if (kind === 'ReadFile' || kind === 'WriteFile') emitFileIo(a, tables, kind === 'WriteFile', slowThunk);
  else emitFindNext(a, tables, kind === 'FindNextFileW', slowThunk);
}
