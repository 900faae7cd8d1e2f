/**
 * System message texts for FormatMessage(FORMAT_MESSAGE_FROM_SYSTEM): Microsoft's English
 * wording from winerror.h and the "System Error Codes" documentation. Each message ends with
 * CR LF, as the system message table stores it.
 */
export const SYSTEM_MESSAGES: ReadonlyMap<number, string> = new Map([
  [0, 'The operation completed successfully.'], // ERROR_SUCCESS
  [1, 'Incorrect function.'], // ERROR_INVALID_FUNCTION
  [2, 'The system cannot find the file specified.'], // ERROR_FILE_NOT_FOUND
  [3, 'The system cannot find the path specified.'], // ERROR_PATH_NOT_FOUND
  [4, 'The system cannot open the file.'], // ERROR_TOO_MANY_OPEN_FILES
  [5, 'Access is denied.'], // ERROR_ACCESS_DENIED
  [6, 'The handle is invalid.'], // ERROR_INVALID_HANDLE
  [8, 'Not enough memory resources are available to process this command.'], // ERROR_NOT_ENOUGH_MEMORY
  [12, 'The access code is invalid.'], // ERROR_INVALID_ACCESS
  [13, 'The data is invalid.'], // ERROR_INVALID_DATA
  [14, 'Not enough storage is available to complete this operation.'], // ERROR_OUTOFMEMORY
  [15, 'The system cannot find the drive specified.'], // ERROR_INVALID_DRIVE
  [16, 'The directory cannot be removed.'], // ERROR_CURRENT_DIRECTORY
  [17, 'The system cannot move the file to a different disk drive.'], // ERROR_NOT_SAME_DEVICE
  [18, 'There are no more files.'], // ERROR_NO_MORE_FILES
  [19, 'The media is write protected.'], // ERROR_WRITE_PROTECT
  [21, 'The device is not ready.'], // ERROR_NOT_READY
  [31, 'A device attached to the system is not functioning.'], // ERROR_GEN_FAILURE
  [32, 'The process cannot access the file because it is being used by another process.'], // ERROR_SHARING_VIOLATION
  [33, 'The process cannot access the file because another process has locked a portion of the file.'], // ERROR_LOCK_VIOLATION
  [38, 'Reached the end of the file.'], // ERROR_HANDLE_EOF
  [39, 'The disk is full.'], // ERROR_HANDLE_DISK_FULL
  [50, 'The request is not supported.'], // ERROR_NOT_SUPPORTED
  [80, 'The file exists.'], // ERROR_FILE_EXISTS
  [82, 'The directory or file cannot be created.'], // ERROR_CANNOT_MAKE
  [87, 'The parameter is incorrect.'], // ERROR_INVALID_PARAMETER
  [109, 'The pipe has been ended.'], // ERROR_BROKEN_PIPE
  [110, 'The system cannot open the device or file specified.'], // ERROR_OPEN_FAILED
  [111, 'The file name is too long.'], // ERROR_BUFFER_OVERFLOW
  [112, 'There is not enough space on the disk.'], // ERROR_DISK_FULL
  [120, 'This function is not supported on this system.'], // ERROR_CALL_NOT_IMPLEMENTED
  [122, 'The data area passed to a system call is too small.'], // ERROR_INSUFFICIENT_BUFFER
  [123, 'The filename, directory name, or volume label syntax is incorrect.'], // ERROR_INVALID_NAME
  [126, 'The specified module could not be found.'], // ERROR_MOD_NOT_FOUND
  [127, 'The specified procedure could not be found.'], // ERROR_PROC_NOT_FOUND
  [131, 'An attempt was made to move the file pointer before the beginning of the file.'], // ERROR_NEGATIVE_SEEK
  [145, 'The directory is not empty.'], // ERROR_DIR_NOT_EMPTY
  [161, 'The specified path is invalid.'], // ERROR_BAD_PATHNAME
  [170, 'The requested resource is in use.'], // ERROR_BUSY
  [183, 'Cannot create a file when that file already exists.'], // ERROR_ALREADY_EXISTS
  [193, '%1 is not a valid Win32 application.'], // ERROR_BAD_EXE_FORMAT
  [203, 'The system could not find the environment option that was entered.'], // ERROR_ENVVAR_NOT_FOUND
  [206, 'The filename or extension is too long.'], // ERROR_FILENAME_EXCED_RANGE
  [230, 'The pipe state is invalid.'], // ERROR_BAD_PIPE
  [231, 'All pipe instances are busy.'], // ERROR_PIPE_BUSY
  [232, 'The pipe is being closed.'], // ERROR_NO_DATA
  [233, 'No process is on the other end of the pipe.'], // ERROR_PIPE_NOT_CONNECTED
  [234, 'More data is available.'], // ERROR_MORE_DATA
  [258, 'The wait operation timed out.'], // WAIT_TIMEOUT
  [259, 'No more data is available.'], // ERROR_NO_MORE_ITEMS
  [267, 'The directory name is invalid.'], // ERROR_DIRECTORY
  [288, 'Attempt to release mutex not owned by caller.'], // ERROR_NOT_OWNER
  [299, 'Only part of a ReadProcessMemory or WriteProcessMemory request was completed.'], // ERROR_PARTIAL_COPY
  [317, 'The system cannot find message text for message number 0x%1 in the message file for %2.'], // ERROR_MR_MID_NOT_FOUND
  [487, 'Attempt to access invalid address.'], // ERROR_INVALID_ADDRESS
  [995, 'The I/O operation has been aborted because of either a thread exit or an application request.'], // ERROR_OPERATION_ABORTED
  [996, 'Overlapped I/O event is not in a signaled state.'], // ERROR_IO_INCOMPLETE
  [997, 'Overlapped I/O operation is in progress.'], // ERROR_IO_PENDING
  [998, 'Invalid access to memory location.'], // ERROR_NOACCESS
  [1001, 'Recursion too deep; the stack overflowed.'], // ERROR_STACK_OVERFLOW
  [1004, 'Invalid flags.'], // ERROR_INVALID_FLAGS
  [1113, 'No mapping for the Unicode character exists in the target multi-byte code page.'], // ERROR_NO_UNICODE_TRANSLATION
  [1114, 'A dynamic link library (DLL) initialization routine failed.'], // ERROR_DLL_INIT_FAILED
].map(([id, text]) => [id as number, `${text as string}\r\n`]));
