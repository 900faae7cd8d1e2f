/** What a program learns about the volume its files are on (GetVolumeInformation, the
 *  FileFs* classes of NtQueryVolumeInformationFile): every drive reports the same NTFS-like
 *  volume, and free space comes from the host's statfs. */
import { failed, type HostFs } from '../host/fs.js';

/** "winr". */
export const VOLUME_SERIAL = 0x77696e72;
export const FILE_SYSTEM_NAME = 'NTFS';
export const MAX_COMPONENT_LENGTH = 255;
export const FILE_CASE_SENSITIVE_SEARCH = 0x1;
export const FILE_CASE_PRESERVED_NAMES = 0x2;
export const FILE_UNICODE_ON_DISK = 0x4;
export const FILE_SYSTEM_FLAGS = FILE_CASE_SENSITIVE_SEARCH | FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK;
export const BYTES_PER_SECTOR = 512;

/** The NT device path of a full DOS path (`C:\x` → `\Device\HarddiskVolume1\x`): C: is
 *  volume 1, Z: volume 2. */
export function volumeDevicePath(dos: string): string {
  return `\\Device\\HarddiskVolume${dos[0]?.toUpperCase() === 'C' ? 1 : 2}` + dos.slice(2);
}

export interface VolumeSpace {
  /** Bytes per allocation unit (the file system's block). */
  unit: number;
  total: number;
  /** Units the caller may use, and units free in all. */
  available: number;
  free: number;
}

/** Space on the file system holding `unix`, or undefined. */
export function volumeSpace(fs: HostFs, unix: string): VolumeSpace | undefined {
  const s = fs.statfs(unix);
  if (failed(s)) return undefined;
  return { unit: Math.max(s.bsize, BYTES_PER_SECTOR), total: s.blocks, available: s.bavail, free: s.bfree };
}
