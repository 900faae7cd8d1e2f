/**
 * Typed errors of the PE parser. Every malformed input ends in exactly one of these kinds;
 * the CLI prints `message` as one line. Kinds are stable: tests and tools match on them.
 */
export const PE_ERROR_KINDS = {
  /** The file ends inside a structure the headers say is there (DOS header, NT headers,
   *  section table, a section's raw data, a directory table). */
  Truncated: 'the file ends inside a structure the headers describe',
  /** A signature is wrong: `MZ`, `PE\0\0`, or the optional-header magic. Not a PE file. */
  BadMagic: 'a signature (MZ, PE, optional-header magic) is wrong',
  /** A well-formed PE that is not an x86-64 PE32+ image (i386, ARM64, a PE32 header…). */
  Unsupported: 'a valid PE image of a kind winrun does not run',
  /** A header field is outside its valid range: e_lfanew, alignments, header sizes,
   *  section count, SizeOfImage, ImageBase. */
  BadHeader: 'a header field is outside its valid range',
  /** Section table entries overlap, are out of order, lie outside SizeOfImage, or their raw
   *  data lies past the end of the file. */
  BadSection: 'the section table is inconsistent',
  /** An RVA or VA in a directory or table lies outside the image, or outside the data the
   *  file provides for it. */
  BadRva: 'an address points outside the image or its file data',
  /** A count or size from a header would make a table run past its directory or the file. */
  BadCount: 'a count or size is larger than the data that holds it',
  /** A name string is unterminated within its section or longer than any real name. */
  BadString: 'a name string is unterminated or too long',
  /** The export directory is inconsistent (a name ordinal past the function table). */
  BadExport: 'the export directory is inconsistent',
  /** Export forwarders of this DLL that point at each other in a cycle. */
  ForwarderLoop: 'export forwarders form a cycle',
  /** A base relocation block is malformed or has a type other than DIR64 / ABSOLUTE. */
  BadRelocation: 'a base relocation block is malformed or of an unsupported type',
  /** Unwind data is invalid: version, unknown UWOP code, codes past the end, a chain cycle. */
  BadUnwind: 'unwind data is invalid',
  /** The resource directory tree refers back to one of its own ancestors. */
  ResourceCycle: 'the resource directory tree contains a cycle',
  /** The resource tree is otherwise malformed (too deep or too many nodes). */
  BadResource: 'the resource directory is malformed',
} as const;

export type PeErrorKind = keyof typeof PE_ERROR_KINDS;

export class PeError extends Error {
  override readonly name = 'PeError';
  constructor(
    readonly kind: PeErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export function isPeError(e: unknown): e is PeError {
  return e instanceof PeError;
}

export function hex(n: number | bigint): string {
  return '0x' + n.toString(16);
}
