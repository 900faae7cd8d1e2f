/** Typed failures of host (Linux) operations, with the errno code Node reported. */
export class HostError extends Error {
  override readonly name = 'HostError';
  constructor(
    /** errno name such as ENOENT, EACCES, EISDIR; 'EUNKNOWN' when Node gave none. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
