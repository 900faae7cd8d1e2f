/**
 * NtQueryInformationFile, NtSetInformationFile and NtQueryVolumeInformationFile (ntifs.h):
 * the FILE_*_INFORMATION and FILE_FS_*_INFORMATION classes programs use, with their x64
 * layouts, over the handles of kernel/files.ts. A buffer shorter than the class's structure
 * is STATUS_INFO_LENGTH_MISMATCH; a name that does not fit is cut, with STATUS_BUFFER_OVERFLOW.
 */
import { failed, type HostStat } from '../../host/fs.js';
import {
  attributesOf,
  DELETE,
  modeForAttributes,
  FILE_DISPOSITION_DELETE,
  FILE_WRITE_ATTRIBUTES,
  fileTimeOf,
  pathOfHandle,
  renamePath,
  seekHandle,
  setDeleteDisposition,
  setEndOfFile,
  statHandle,
  unixNsOf,
} from '../../kernel/files.js';
import { HANDLE_DELETE_ON_CLOSE, HANDLE_DELETE_PENDING, HANDLE_MODE_SHIFT, HANDLE_NT_MODE, HandleType, type HandleInfo } from '../../kernel/handles.js';
import {
  ntStatusFromWin32,
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_SUCCESS,
} from '../../kernel/ntstatus.js';
import { FILE_SYSTEM_FLAGS, FILE_SYSTEM_NAME, MAX_COMPONENT_LENGTH, BYTES_PER_SECTOR, VOLUME_SERIAL, volumeSpace } from '../../kernel/volume.js';
import { win32FromErrno } from '../../kernel/win32error.js';
import type { ApiContext } from '../types.js';
import { complete, ntCall, unitsOf } from './ntdef.js';
import { FILE_MODE_OPTIONS, FILE_SYNCHRONOUS_IO_NONALERT, resolveName } from './ntname.js';

// FILE_INFORMATION_CLASS
const FileBasicInformation = 4;
const FileStandardInformation = 5;
const FileInternalInformation = 6;
const FileEaInformation = 7;
const FileAccessInformation = 8;
const FileNameInformation = 9;
const FileRenameInformation = 10;
const FileLinkInformation = 11;
const FileDispositionInformation = 13;
const FilePositionInformation = 14;
const FileModeInformation = 16;
const FileAlignmentInformation = 17;
const FileAllInformation = 18;
const FileAllocationInformation = 19;
const FileEndOfFileInformation = 20;
const FileNetworkOpenInformation = 34;
const FileAttributeTagInformation = 35;
const FileIdInformation = 59;
const FileDispositionInformationEx = 64;
const FileRenameInformationEx = 65;

/** A block of little-endian fields. */
class Block {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
  u8(at: number, v: number): this {
    this.dv.setUint8(at, v);
    return this;
  }
  u32(at: number, v: number): this {
    this.dv.setUint32(at, v >>> 0, true);
    return this;
  }
  u64(at: number, v: bigint): this {
    this.dv.setBigUint64(at, BigInt.asUintN(64, v), true);
    return this;
  }
  units(at: number, u: Uint16Array): this {
    for (let i = 0; i < u.length; i++) this.dv.setUint16(at + 2 * i, u[i]!, true);
    return this;
  }
}

const CLUSTER = 4096n;
const allocationSize = (st: HostStat): bigint => (st.isDirectory ? 0n : ((st.size + CLUSTER - 1n) / CLUSTER) * CLUSTER);
const endOfFile = (st: HostStat): bigint => (st.isDirectory ? 0n : st.size);

/** FILE_BASIC_INFORMATION (40 bytes): four times and the attributes. */
export function basicInformation(st: HostStat): Uint8Array {
  return new Block(40).u64(0, fileTimeOf(st.birthtimeNs)).u64(8, fileTimeOf(st.atimeNs)).u64(16, fileTimeOf(st.mtimeNs)).u64(24, fileTimeOf(st.ctimeNs)).u32(32, attributesOf(st)).bytes;
}

/** FILE_NETWORK_OPEN_INFORMATION (56 bytes). */
export function networkOpenInformation(st: HostStat): Uint8Array {
  const b = new Block(56).u64(0, fileTimeOf(st.birthtimeNs)).u64(8, fileTimeOf(st.atimeNs)).u64(16, fileTimeOf(st.mtimeNs)).u64(24, fileTimeOf(st.ctimeNs));
  return b.u64(32, allocationSize(st)).u64(40, endOfFile(st)).u32(48, attributesOf(st)).bytes;
}

/** FILE_STANDARD_INFORMATION (24 bytes). */
function standardInformation(st: HostStat, deletePending: boolean): Uint8Array {
  return new Block(24).u64(0, allocationSize(st)).u64(8, endOfFile(st)).u32(16, st.nlink).u8(20, deletePending ? 1 : 0).u8(21, st.isDirectory ? 1 : 0).bytes;
}

/** FileModeInformation: the NtCreateFile options kept, or (kernel32's handles) synchronous. */
function modeOf(o: HandleInfo): number {
  const mode = o.flags & HANDLE_NT_MODE ? (o.flags >>> HANDLE_MODE_SHIFT) & FILE_MODE_OPTIONS : FILE_SYNCHRONOUS_IO_NONALERT;
  return o.flags & HANDLE_DELETE_ON_CLOSE ? mode | 0x1000 : mode;
}

/** The name FileNameInformation reports: the path without its drive (`\dir\file`). */
function nameOf(ctx: ApiContext, h: number): string | number {
  const p = pathOfHandle(ctx.process, h);
  if (!p.ok) return ntStatusFromWin32(p.error);
  return ctx.process.drives.toDos(p.value).slice(2) || '\\';
}

/** Minimum buffer sizes of the classes NtQueryInformationFile answers. */
const QUERY_SIZE: Readonly<Record<number, number>> = {
  [FileBasicInformation]: 40,
  [FileStandardInformation]: 24,
  [FileInternalInformation]: 8,
  [FileEaInformation]: 4,
  [FileAccessInformation]: 4,
  [FileNameInformation]: 8,
  [FilePositionInformation]: 8,
  [FileModeInformation]: 4,
  [FileAlignmentInformation]: 4,
  [FileAllInformation]: 104,
  [FileNetworkOpenInformation]: 56,
  [FileAttributeTagInformation]: 8,
  [FileIdInformation]: 24,
};

/** Offset of FileNameInformation inside FILE_ALL_INFORMATION. */
const ALL_NAME_OFFSET = 96;

export function NtQueryInformationFile(ctx: ApiContext, h: number, iosb: number, buf: number, len: number, cls: number): number {
  return ntCall(() => {
    const size = QUERY_SIZE[cls];
    if (size === undefined) return STATUS_INVALID_INFO_CLASS;
    if (len < size) return STATUS_INFO_LENGTH_MISMATCH;
    const o = ctx.process.handles.lookup(h);
    if (!o || o.type === HandleType.Find) return STATUS_INVALID_HANDLE;
    const s = statHandle(ctx.process, h);
    if (!s.ok) return ntStatusFromWin32(s.error);
    const st = s.value;
    const position = (): bigint => {
      if (o.type !== HandleType.File) return 0n;
      const r = seekHandle(ctx.process, h, 0n, 1);
      return r.ok ? r.value : 0n;
    };
    const pending = (o.flags & HANDLE_DELETE_PENDING) !== 0;
    let out: Uint8Array;
    let name: string | undefined;
    switch (cls) {
      case FileBasicInformation:
        out = basicInformation(st);
        break;
      case FileStandardInformation:
        out = standardInformation(st, pending);
        break;
      case FileInternalInformation:
        out = new Block(8).u64(0, st.ino).bytes;
        break;
      case FileEaInformation:
      case FileAlignmentInformation:
        out = new Block(4).bytes;
        break;
      case FileAccessInformation:
        out = new Block(4).u32(0, o.access).bytes;
        break;
      case FilePositionInformation:
        out = new Block(8).u64(0, position()).bytes;
        break;
      case FileModeInformation:
        out = new Block(4).u32(0, modeOf(o)).bytes;
        break;
      case FileNetworkOpenInformation:
        out = networkOpenInformation(st);
        break;
      case FileAttributeTagInformation:
        out = new Block(8).u32(0, attributesOf(st)).bytes;
        break;
      case FileIdInformation:
        out = new Block(24).u64(0, BigInt(VOLUME_SERIAL)).u64(8, st.ino).bytes;
        break;
      case FileNameInformation: {
        const n = nameOf(ctx, h);
        if (typeof n === 'number') return n;
        name = n;
        out = new Block(4).bytes;
        break;
      }
      default: {
        // FileAllInformation: basic, standard, internal, EA, access, position, mode, alignment, name.
        const n = nameOf(ctx, h);
        if (typeof n === 'number') return n;
        name = n;
        const b = new Block(ALL_NAME_OFFSET + 4);
        b.bytes.set(basicInformation(st), 0);
        b.bytes.set(standardInformation(st, pending), 40);
        b.u64(64, st.ino).u32(76, o.access).u64(80, position()).u32(88, modeOf(o));
        out = b.bytes;
      }
    }
    if (name === undefined) {
      ctx.mem.write(buf, out);
      return complete(ctx, iosb, STATUS_SUCCESS, out.length);
    }
    // The name's length in bytes, then as much of the name as fits.
    const units = unitsOf(name);
    const at = out.length - 4;
    new DataView(out.buffer).setUint32(at, 2 * units.length, true);
    const room = Math.floor((len - out.length) / 2);
    const fits = Math.min(room, units.length);
    const all = new Block(out.length + 2 * fits);
    all.bytes.set(out);
    all.units(out.length, units.subarray(0, fits));
    ctx.mem.write(buf, all.bytes);
    return complete(ctx, iosb, fits < units.length ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS, all.bytes.length);
  });
}

// ---- setting --------------------------------------------------------------------------------

const SET_SIZE: Readonly<Record<number, number>> = {
  [FileBasicInformation]: 40,
  [FileRenameInformation]: 24,
  [FileLinkInformation]: 24,
  [FileDispositionInformation]: 1,
  [FilePositionInformation]: 8,
  [FileAllocationInformation]: 8,
  [FileEndOfFileInformation]: 8,
  [FileDispositionInformationEx]: 4,
  [FileRenameInformationEx]: 24,
};

const FILE_RENAME_REPLACE_IF_EXISTS = 0x1;

/** FILE_RENAME_INFORMATION: { BOOLEAN ReplaceIfExists (or ULONG Flags); HANDLE RootDirectory;
 *  ULONG FileNameLength; WCHAR FileName[] } at 0, 8, 16, 20. A name without a `\` stays in
 *  the file's directory. */
function renameOrLink(ctx: ApiContext, h: number, o: HandleInfo, buf: number, len: number, cls: number): number {
  const replace = cls === FileRenameInformationEx ? (ctx.mem.u32(buf) & FILE_RENAME_REPLACE_IF_EXISTS) !== 0 : ctx.mem.u8(buf) !== 0;
  const root = ctx.mem.ptr(buf + 8);
  const nameBytes = ctx.mem.u32(buf + 16);
  if (20 + nameBytes > len) return STATUS_INVALID_PARAMETER;
  const name = String.fromCharCode(...new Uint16Array(ctx.mem.read(buf + 20, nameBytes & ~1).buffer));
  if (cls !== FileLinkInformation && !(o.access & DELETE)) return STATUS_ACCESS_DENIED;
  const src = pathOfHandle(ctx.process, h);
  const st = statHandle(ctx.process, h);
  if (!src.ok || !st.ok) return STATUS_INVALID_HANDLE;
  let target: string;
  if (root || name.startsWith('\\')) {
    const t = resolveName(ctx, root, name);
    if (t.kind === 'error') return t.status;
    if (t.kind === 'device') return STATUS_INVALID_PARAMETER;
    target = t.unix;
  } else {
    if (name === '' || name.includes('\\')) return STATUS_INVALID_PARAMETER;
    target = src.value.slice(0, src.value.lastIndexOf('/') + 1) + name;
  }
  if (cls === FileLinkInformation) {
    const d = ctx.process.fs.stat(target);
    if (!failed(d) && !replace) return STATUS_OBJECT_NAME_COLLISION;
    if (!failed(d)) ctx.process.fs.unlink(target);
    const r = ctx.process.fs.link(src.value, target);
    if (failed(r)) return ntStatusFromWin32(win32FromErrno(r.errno));
    return STATUS_SUCCESS;
  }
  const r = renamePath(ctx.process, src.value, st.value, target, replace, false, o.value);
  if (!r.ok) return ntStatusFromWin32(r.error);
  return STATUS_SUCCESS;
}

export function NtSetInformationFile(ctx: ApiContext, h: number, iosb: number, buf: number, len: number, cls: number): number {
  return ntCall(() => {
    const size = SET_SIZE[cls];
    if (size === undefined) return STATUS_INVALID_INFO_CLASS;
    if (len < size) return STATUS_INFO_LENGTH_MISMATCH;
    const o = ctx.process.handles.lookup(h);
    if (!o || o.type === HandleType.Find) return STATUS_INVALID_HANDLE;
    let status: number;
    switch (cls) {
      case FileBasicInformation:
        status = setBasic(ctx, h, o, buf);
        break;
      case FilePositionInformation: {
        const pos = BigInt.asIntN(64, ctx.mem.u64(buf));
        if (pos < 0n) return STATUS_INVALID_PARAMETER;
        const r = seekHandle(ctx.process, h, pos, 0);
        status = r.ok ? STATUS_SUCCESS : ntStatusFromWin32(r.error);
        break;
      }
      case FileEndOfFileInformation:
      case FileAllocationInformation: {
        const size = BigInt.asIntN(64, ctx.mem.u64(buf));
        const st = statHandle(ctx.process, h);
        // A smaller allocation cuts the file; a larger one changes nothing a program sees.
        if (cls === FileAllocationInformation && st.ok && size >= st.value.size) {
          status = STATUS_SUCCESS;
          break;
        }
        const r = setEndOfFile(ctx.process, h, size);
        status = r.ok ? STATUS_SUCCESS : ntStatusFromWin32(r.error);
        break;
      }
      case FileDispositionInformation:
        status = setDeleteDisposition(ctx.process, h, ctx.mem.u8(buf) ? FILE_DISPOSITION_DELETE : 0);
        break;
      case FileDispositionInformationEx:
        status = setDeleteDisposition(ctx.process, h, ctx.mem.u32(buf));
        break;
      default:
        status = renameOrLink(ctx, h, o, buf, len, cls);
    }
    return status === STATUS_SUCCESS ? complete(ctx, iosb, status) : status;
  });
}

/** FILE_BASIC_INFORMATION: a time of 0 (or -1) leaves that time alone; attributes 0 leave
 *  them alone, and only FILE_ATTRIBUTE_READONLY has a Unix meaning. */
function setBasic(ctx: ApiContext, h: number, o: HandleInfo, buf: number): number {
  if (!(o.access & FILE_WRITE_ATTRIBUTES)) return STATUS_ACCESS_DENIED;
  const b = ctx.mem.read(buf, 40);
  const dv = new DataView(b.buffer);
  const st = statHandle(ctx.process, h);
  if (!st.ok) return ntStatusFromWin32(st.error);
  const pick = (at: number, cur: bigint): bigint => {
    const ft = BigInt.asIntN(64, dv.getBigUint64(at, true));
    return ft === 0n || ft === -1n ? cur : unixNsOf(ft);
  };
  const atime = pick(8, st.value.atimeNs);
  const mtime = pick(16, st.value.mtimeNs);
  const fs = ctx.process.fs;
  if (atime !== st.value.atimeNs || mtime !== st.value.mtimeNs) {
    const u = fs.futimes(o.value, atime, mtime);
    if (failed(u)) return ntStatusFromWin32(win32FromErrno(u.errno));
  }
  const attrs = dv.getUint32(32, true);
  if (attrs !== 0) {
    const p = pathOfHandle(ctx.process, h);
    if (!p.ok) return ntStatusFromWin32(p.error);
    const r = fs.chmod(p.value, modeForAttributes(st.value.mode, attrs));
    if (failed(r)) return ntStatusFromWin32(win32FromErrno(r.errno));
  }
  return STATUS_SUCCESS;
}

// ---- volumes --------------------------------------------------------------------------------

const FileFsVolumeInformation = 1;
const FileFsSizeInformation = 3;
const FileFsDeviceInformation = 4;
const FileFsAttributeInformation = 5;
const FileFsFullSizeInformation = 7;
const FILE_DEVICE_DISK = 0x7;
const FILE_DEVICE_NAMED_PIPE = 0x11;
const FILE_DEVICE_NULL = 0x15;
const FILE_DEVICE_CONSOLE = 0x50;
const FILE_DEVICE_IS_MOUNTED = 0x20;

const VOLUME_SIZE: Readonly<Record<number, number>> = {
  [FileFsVolumeInformation]: 24,
  [FileFsSizeInformation]: 24,
  [FileFsDeviceInformation]: 8,
  [FileFsAttributeInformation]: 16,
  [FileFsFullSizeInformation]: 32,
};

export function NtQueryVolumeInformationFile(ctx: ApiContext, h: number, iosb: number, buf: number, len: number, cls: number): number {
  return ntCall(() => {
    const size = VOLUME_SIZE[cls];
    if (size === undefined) return STATUS_INVALID_INFO_CLASS;
    if (len < size) return STATUS_INFO_LENGTH_MISMATCH;
    const o = ctx.process.handles.lookup(h);
    if (!o || o.type === HandleType.Find) return STATUS_INVALID_HANDLE;
    const st = statHandle(ctx.process, h);
    if (!st.ok) return ntStatusFromWin32(st.error);
    const disk = st.value.isFile || st.value.isDirectory;
    if (cls === FileFsDeviceInformation) {
      const path = pathOfHandle(ctx.process, h);
      const type = disk ? FILE_DEVICE_DISK : path.ok && path.value === '/dev/null' ? FILE_DEVICE_NULL : st.value.isCharDevice ? FILE_DEVICE_CONSOLE : FILE_DEVICE_NAMED_PIPE;
      ctx.mem.write(buf, new Block(8).u32(0, type).u32(4, disk ? FILE_DEVICE_IS_MOUNTED : 0).bytes);
      return complete(ctx, iosb, STATUS_SUCCESS, 8);
    }
    if (!disk) return STATUS_INVALID_DEVICE_REQUEST;
    if (cls === FileFsVolumeInformation) {
      // No label: VolumeCreationTime, VolumeSerialNumber, VolumeLabelLength 0, SupportsObjects.
      const b = new Block(18).u32(8, VOLUME_SERIAL).u8(16, 0);
      ctx.mem.write(buf, b.bytes);
      return complete(ctx, iosb, STATUS_SUCCESS, 18);
    }
    if (cls === FileFsAttributeInformation) {
      const name = unitsOf(FILE_SYSTEM_NAME);
      const fits = Math.min(name.length, Math.floor((len - 12) / 2));
      const b = new Block(12 + 2 * fits).u32(0, FILE_SYSTEM_FLAGS).u32(4, MAX_COMPONENT_LENGTH).u32(8, 2 * name.length).units(12, name.subarray(0, fits));
      ctx.mem.write(buf, b.bytes);
      return complete(ctx, iosb, fits < name.length ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS, b.bytes.length);
    }
    const p = pathOfHandle(ctx.process, h);
    const space = p.ok ? volumeSpace(ctx.process.fs, p.value) : undefined;
    if (!space) return ntStatusFromWin32(p.ok ? 5 : p.error);
    const sectors = Math.max(1, Math.floor(space.unit / BYTES_PER_SECTOR));
    const b =
      cls === FileFsSizeInformation
        ? new Block(24).u64(0, BigInt(space.total)).u64(8, BigInt(space.available)).u32(16, sectors).u32(20, BYTES_PER_SECTOR)
        : new Block(32).u64(0, BigInt(space.total)).u64(8, BigInt(space.available)).u64(16, BigInt(space.free)).u32(24, sectors).u32(28, BYTES_PER_SECTOR);
    ctx.mem.write(buf, b.bytes);
    return complete(ctx, iosb, STATUS_SUCCESS, b.bytes.length);
  });
}
