/**
 * The block behind a FindFirstFile handle (the handle's value is its guest address), kept on
 * the process heap. kernel32's FindFirstFile writes it; FindNextFile reads it, in JS and in
 * the native fast path (native/iofast.ts), so the layout lives here, below both:
 *   u32 next, u32 count, i32 directory descriptor, u32 0,
 *   a 256-byte statx buffer for the fast path,
 *   count entries of four u32: UTF-8 name offset (from the block), its length in bytes,
 *   UTF-16 name offset, its length in units,
 *   then the names: each UTF-8 one NUL-terminated (statx takes it as it is), the UTF-16 ones
 *   2-byte aligned.
 */
export const SEARCH_NEXT = 0;
export const SEARCH_COUNT = 4;
export const SEARCH_DIRFD = 8;
export const SEARCH_STATX = 16;
export const SEARCH_ENTRIES = SEARCH_STATX + 256;
export const SEARCH_ENTRY_SIZE = 16;
export const ENTRY_NAME8 = 0;
export const ENTRY_LEN8 = 4;
export const ENTRY_NAME16 = 8;
export const ENTRY_LEN16 = 12;

/** WIN32_FIND_DATAW and WIN32_FIND_DATAA sizes; the name (cFileName) is at +44. */
export const FIND_DATA_W = 592;
export const FIND_DATA_A = 320;
export const FIND_DATA_NAME = 44;
/** The longest name cFileName holds, without its NUL. */
export const FIND_NAME_MAX = 259;

/** statx(2) (struct statx offsets): what a listing needs. */
export const STATX_MASK_BASIC_AND_BTIME = 0xfff;
export const STATX_BTIME = 0x800;
export const STX_MASK = 0;
export const STX_MODE = 28;
export const STX_SIZE = 40;
export const STX_ATIME = 64;
export const STX_BTIME = 80;
export const STX_MTIME = 112;
