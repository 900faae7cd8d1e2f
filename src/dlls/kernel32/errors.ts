/** Win32 error codes (winerror.h) used by the implementations. */
export const ERROR_SUCCESS = 0;
export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_INVALID_HANDLE = 6;
export const ERROR_NOT_ENOUGH_MEMORY = 8;
export const ERROR_INVALID_PARAMETER = 87;
export const ERROR_INSUFFICIENT_BUFFER = 122;
export const ERROR_MOD_NOT_FOUND = 126;
export const ERROR_PROC_NOT_FOUND = 127;
export const ERROR_NO_UNICODE_TRANSLATION = 1113;
export const ERROR_NOACCESS = 998;
export const ERROR_INVALID_ADDRESS = 487;
export const ERROR_BROKEN_PIPE = 109;
export const ERROR_MORE_DATA = 234;
export const ERROR_NO_WORK_DONE = 235;
export const ERROR_MR_MID_NOT_FOUND = 317;
export const ERROR_INVALID_FLAGS = 1004;
export const ERROR_RESOURCE_TYPE_NOT_FOUND = 1813;
