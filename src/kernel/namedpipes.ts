/**
 * Named pipes (\\.\pipe\NAME) on Unix domain stream sockets, within a process and across winrun
 * processes, with no server process and no libuv: every call is a synchronous system call on
 * the calling thread (native/unixsock.ts).
 *
 * - Each server instance (CreateNamedPipe) is a socket listening at
 *   `<pipe dir>/<name>/<pid>.<slot>.<flags>.<max>.<out>.<in>` (host/pipedir.ts), with a queue
 *   of one: a client that connects takes the instance (the server accepts it at
 *   ConnectNamedPipe, or at its next use of the handle, which is how a client that came first
 *   is found: ERROR_PIPE_CONNECTED), and the next one finds the queue full. Once the server
 *   accepted, it closes the listening socket but leaves the file: connecting to it is refused,
 *   which a client reads as "busy" while the owning process lives. DisconnectNamedPipe drops
 *   the connection; ConnectNamedPipe listens at the same path again. Closing the last server
 *   handle removes the file. A client (CreateFile) tries the instances of the name in turn:
 *   none there is ERROR_FILE_NOT_FOUND, none free ERROR_PIPE_BUSY.
 * - The pipe's type, direction and sizes are in the file name, so a client knows them without
 *   asking the server. A message-type pipe frames each write as a 32-bit length and the data;
 *   a read in message mode takes at most one message (ERROR_MORE_DATA with the rest kept for
 *   the next read: the bytes left of the current message are in the handle's slot).
 * - The table is a SharedArrayBuffer (DESIGN.md §5); a handle's value is its slot index.
 */
import { hostFs, failed } from '../host/fs.js';
import { listeningSocketPaths, namedPipeDirectory } from '../host/pipedir.js';
import { bytesAvailable, closeDescriptor, sendSignal } from '../native/spawn.js';
import { acceptOn, connectTo, listenAt, readableWithin, recvExactly, recvSome, sendAll, shutdownSocket, SOCKET_PATH_MAX } from '../native/unixsock.js';

export const MAX_NAMED_PIPES = 256;
const WORDS = 48;
const STATE = 0;
const LISTEN_FD = 1;
const CONN_FD = 2;
const FLAGS = 3;
const REMAINING = 4;
const MAX_INSTANCES = 5;
const OUT_SIZE = 6;
const IN_SIZE = 7;
const REFS = 8;
const ACCESS = 9;
/** Byte offset of the socket path (NUL-terminated UTF-8) in a slot. */
const PATH = 64;
const PATH_MAX = WORDS * 4 - PATH;

export const enum PipeState {
  Free = 0,
  /** A server instance waiting for a client (one may be queued, not yet accepted). */
  Listening = 1,
  Connected = 2,
  /** A server instance after DisconnectNamedPipe, until ConnectNamedPipe. */
  Disconnected = 3,
  Client = 4,
}

/** Slot flags. */
export const NP_SERVER = 1;
export const NP_MESSAGE_TYPE = 2;
export const NP_READ_MESSAGE = 4;
export const NP_NOWAIT = 8;
/** PIPE_ACCESS_INBOUND: the server reads, the client writes. */
export const NP_INBOUND = 0x10;
/** PIPE_ACCESS_OUTBOUND: the server writes, the client reads. */
export const NP_OUTBOUND = 0x20;
/** The flags the file name carries to clients. */
const NP_SHARED_FLAGS = NP_MESSAGE_TYPE | NP_INBOUND | NP_OUTBOUND;

const ERROR_FILE_NOT_FOUND = 2;
const ERROR_ACCESS_DENIED = 5;
const ERROR_INVALID_PARAMETER = 87;
const ERROR_BAD_PATHNAME = 161;
const ERROR_PIPE_BUSY = 231;
const ERROR_NO_DATA = 232;
const ERROR_PIPE_NOT_CONNECTED = 233;
const ERROR_MORE_DATA = 234;
const ERROR_PIPE_CONNECTED = 535;
const ERROR_PIPE_LISTENING = 536;
const ERROR_BROKEN_PIPE = 109;
const ERROR_TOO_MANY_OPEN_FILES = 4;
const ECONNRESET = 104;
const EPIPE = 32;
const ENOENT = 2;

/** A Win32 error, or a value. */
export type PipeResult<T> = { error: number; value?: T } | { error?: undefined; value: T };

export interface PipeInfo {
  flags: number;
  maxInstances: number;
  outSize: number;
  inSize: number;
}

/** 64-bit FNV-1a of a string's UTF-16 units, as hex (names too long for a socket path). */
function hashName(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) h = BigInt.asUintN(64, (h ^ BigInt(s.charCodeAt(i))) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

/** The directory of a pipe name (the part after \\.\pipe\, compared without case). */
function nameDirectory(base: string, name: string): string {
  const lower = name.toLowerCase();
  let enc = '';
  for (const b of new TextEncoder().encode(lower)) enc += /[a-z0-9_.-]/.test(String.fromCharCode(b)) && b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`;
  if (enc.length > 40 || enc.startsWith('.')) enc = `${enc.replace(/^\./, '%2e').slice(0, 23)}~${hashName(lower)}`;
  return `${base}/${enc}`;
}

/** The pipe name of `\\.\pipe\NAME` (either separator, `?` for `.`), or undefined. */
export function pipeNameOf(path: string): string | undefined {
  const m = /^[\\/]{2}[.?][\\/]pipe[\\/](.+)$/i.exec(path);
  return m?.[1];
}

interface Instance {
  path: string;
  pid: number;
  flags: number;
  max: number;
  out: number;
  in: number;
}

function parseInstance(dir: string, file: string): Instance | undefined {
  const f = file.split('.');
  if (f.length !== 6 || !f.every((x) => /^[0-9a-f]+$/.test(x))) return undefined;
  return { path: `${dir}/${file}`, pid: Number(f[0]), flags: parseInt(f[2]!, 16), max: Number(f[3]), out: Number(f[4]), in: Number(f[5]) };
}

/** The instances of a pipe name whose processes still live (files of ended ones are removed). */
function instancesOf(dir: string): Instance[] {
  const files = hostFs.readdir(dir);
  if (failed(files)) return [];
  const out: Instance[] = [];
  for (const file of files) {
    const inst = parseInstance(dir, file);
    if (!inst) continue;
    if (!sendSignal(inst.pid, 0)) {
      hostFs.unlink(inst.path);
      continue;
    }
    out.push(inst);
  }
  return out;
}

export class NamedPipeTable {
  private readonly w: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(MAX_NAMED_PIPES * WORDS * 4)) {
    this.w = new Int32Array(buffer);
    this.bytes = new Uint8Array(buffer);
  }

  private at(slot: number, word: number): number {
    return this.w[WORDS * slot + word]!;
  }

  private set(slot: number, word: number, v: number): void {
    Atomics.store(this.w, WORDS * slot + word, v);
  }

  state(slot: number): PipeState {
    return Atomics.load(this.w, WORDS * slot + STATE) as PipeState;
  }

  flags(slot: number): number {
    return this.at(slot, FLAGS);
  }

  private path(slot: number): string {
    const b = WORDS * 4 * slot + PATH;
    const end = this.bytes.indexOf(0, b);
    return new TextDecoder().decode(this.bytes.slice(b, end < 0 ? b + PATH_MAX : end));
  }

  private allocate(state: PipeState, init: { listen: number; conn: number; flags: number; info: Omit<PipeInfo, 'flags'>; path: string; access: number }): number {
    for (let i = 0; i < MAX_NAMED_PIPES; i++) {
      const b = WORDS * i;
      if (Atomics.compareExchange(this.w, b + STATE, PipeState.Free, -1) !== PipeState.Free) continue;
      this.w[b + LISTEN_FD] = init.listen;
      this.w[b + CONN_FD] = init.conn;
      this.w[b + FLAGS] = init.flags;
      this.w[b + REMAINING] = 0;
      this.w[b + MAX_INSTANCES] = init.info.maxInstances;
      this.w[b + OUT_SIZE] = init.info.outSize;
      this.w[b + IN_SIZE] = init.info.inSize;
      this.w[b + REFS] = 1;
      this.w[b + ACCESS] = init.access;
      const p = new TextEncoder().encode(init.path);
      this.bytes.fill(0, b * 4 + PATH, b * 4 + WORDS * 4);
      this.bytes.set(p.subarray(0, PATH_MAX - 1), b * 4 + PATH);
      Atomics.store(this.w, b + STATE, state);
      return i;
    }
    return -1;
  }

  /**
   * CreateNamedPipe: a new listening instance of `name`; its slot, or the Win32 error.
   * `flags` holds the NP_* type, read mode, wait mode and direction; `first`:
   * FILE_FLAG_FIRST_PIPE_INSTANCE.
   */
  create(name: string, flags: number, info: Omit<PipeInfo, 'flags'>, first: boolean, pid: number): PipeResult<number> {
    const base = namedPipeDirectory();
    if (base === undefined) return { error: ERROR_ACCESS_DENIED };
    const dir = nameDirectory(base, name);
    if (failed(hostFs.mkdirp(dir))) return { error: ERROR_ACCESS_DENIED };
    const existing = instancesOf(dir);
    if (existing.length > 0) {
      if (first) return { error: ERROR_ACCESS_DENIED };
      // The first instance's limit holds for the name (PIPE_UNLIMITED_INSTANCES: 255).
      const max = existing[0]!.max;
      if (max !== 255 && existing.length >= max) return { error: ERROR_PIPE_BUSY };
      if ((existing[0]!.flags & (NP_INBOUND | NP_OUTBOUND)) !== (flags & (NP_INBOUND | NP_OUTBOUND))) return { error: ERROR_ACCESS_DENIED };
    }
    const slot = this.allocate(PipeState.Listening, { listen: -1, conn: -1, flags: flags | NP_SERVER, info, path: '', access: 0 });
    if (slot < 0) return { error: ERROR_TOO_MANY_OPEN_FILES };
    const path = `${dir}/${pid}.${slot}.${(flags & NP_SHARED_FLAGS).toString(16)}.${info.maxInstances}.${info.outSize}.${info.inSize}`;
    if (new TextEncoder().encode(path).length > Math.min(SOCKET_PATH_MAX, PATH_MAX - 1)) {
      this.free(slot);
      return { error: ERROR_BAD_PATHNAME };
    }
    hostFs.unlink(path);
    let fd = listenAt(path, 0);
    // The last instance of another process may have just removed the (empty) directory.
    if (fd === -ENOENT && !failed(hostFs.mkdirp(dir))) fd = listenAt(path, 0);
    if (fd < 0) {
      this.free(slot);
      return { error: ERROR_ACCESS_DENIED };
    }
    this.bytes.set(new TextEncoder().encode(path), WORDS * 4 * slot + PATH);
    this.set(slot, LISTEN_FD, fd);
    return { value: slot };
  }

  /** CreateFile on \\.\pipe\NAME: a client connected to a free instance; its slot, or the
   *  Win32 error. `read`/`write`: the access asked for. */
  open(name: string, read: boolean, write: boolean, access: number): PipeResult<number> {
    const base = namedPipeDirectory();
    if (base === undefined) return { error: ERROR_FILE_NOT_FOUND };
    const dir = nameDirectory(base, name);
    let busy = false;
    for (const inst of instancesOf(dir)) {
      // The client reads what the server writes (outbound) and writes what it reads (inbound).
      if ((read && !(inst.flags & NP_OUTBOUND)) || (write && !(inst.flags & NP_INBOUND))) return { error: ERROR_ACCESS_DENIED };
      const fd = connectTo(inst.path);
      if (fd >= 0) {
        const slot = this.allocate(PipeState.Client, { listen: -1, conn: fd, flags: inst.flags & NP_SHARED_FLAGS, info: { maxInstances: inst.max, outSize: inst.out, inSize: inst.in }, path: '', access });
        if (slot < 0) {
          closeDescriptor(fd);
          return { error: ERROR_TOO_MANY_OPEN_FILES };
        }
        return { value: slot };
      }
      // A full queue (a client not accepted yet) or a closed listener (a connected instance).
      busy = true;
    }
    return { error: busy ? ERROR_PIPE_BUSY : ERROR_FILE_NOT_FOUND };
  }

  /** WaitNamedPipe: whether an instance of `name` listens now; undefined when none exists. */
  anyListening(name: string): boolean | undefined {
    const base = namedPipeDirectory();
    if (base === undefined) return undefined;
    const all = instancesOf(nameDirectory(base, name));
    if (all.length === 0) return undefined;
    const listening = listeningSocketPaths();
    return all.some((i) => listening.has(i.path));
  }

  /** A server instance whose client connected before the server looked: accept it now. */
  private settle(slot: number): void {
    if (this.state(slot) !== PipeState.Listening) return;
    const l = this.at(slot, LISTEN_FD);
    if (l >= 0 && readableWithin(l, 0)) this.acceptNow(slot);
  }

  private acceptNow(slot: number): boolean {
    const l = this.at(slot, LISTEN_FD);
    const c = acceptOn(l);
    if (c < 0) return false;
    // The instance is taken: nobody else may queue on it (the file stays: "busy").
    this.set(slot, LISTEN_FD, -1);
    closeDescriptor(l);
    this.set(slot, CONN_FD, c);
    this.set(slot, REMAINING, 0);
    this.set(slot, STATE, PipeState.Connected);
    return true;
  }

  /** Whether the other end of a connection has gone with nothing left to read. */
  private peerGone(fd: number): boolean {
    if (!readableWithin(fd, 0)) return false;
    const one = new Uint8Array(1);
    const r = recvSome(fd, one, { peek: true, nowait: true });
    return r === 0 || r === -ECONNRESET;
  }

  /** ConnectNamedPipe (blocking): true when a client connected now; or the Win32 error
   *  (ERROR_PIPE_CONNECTED when one came first, ERROR_NO_DATA when it came and went). */
  connect(slot: number): PipeResult<boolean> {
    if (!(this.flags(slot) & NP_SERVER)) return { error: ERROR_INVALID_PARAMETER };
    let st = this.state(slot);
    if (st === PipeState.Disconnected) {
      const path = this.path(slot);
      hostFs.unlink(path);
      const fd = listenAt(path, 0);
      if (fd < 0) return { error: ERROR_ACCESS_DENIED };
      this.set(slot, LISTEN_FD, fd);
      this.set(slot, STATE, PipeState.Listening);
      st = PipeState.Listening;
    }
    if (st === PipeState.Listening) {
      const l = this.at(slot, LISTEN_FD);
      const pending = readableWithin(l, 0);
      if (!pending && this.flags(slot) & NP_NOWAIT) return { error: ERROR_PIPE_LISTENING };
      if (!this.acceptNow(slot)) return { error: ERROR_PIPE_NOT_CONNECTED };
      if (!pending) return { value: true };
    }
    return { error: this.peerGone(this.at(slot, CONN_FD)) ? ERROR_NO_DATA : ERROR_PIPE_CONNECTED };
  }

  /** DisconnectNamedPipe: the client's end breaks; the instance waits for ConnectNamedPipe. */
  disconnect(slot: number): PipeResult<boolean> {
    if (!(this.flags(slot) & NP_SERVER)) return { error: ERROR_INVALID_PARAMETER };
    this.settle(slot);
    const st = this.state(slot);
    if (st === PipeState.Listening) return { error: ERROR_PIPE_LISTENING };
    if (st === PipeState.Connected) {
      const c = this.at(slot, CONN_FD);
      this.set(slot, CONN_FD, -1);
      shutdownSocket(c);
      closeDescriptor(c);
    }
    this.set(slot, STATE, PipeState.Disconnected);
    return { value: true };
  }

  /** The connection of a handle for data, or the error of its state. */
  private connection(slot: number): PipeResult<number> {
    this.settle(slot);
    switch (this.state(slot)) {
      case PipeState.Listening:
        return { error: ERROR_PIPE_LISTENING };
      case PipeState.Disconnected:
        return { error: ERROR_PIPE_NOT_CONNECTED };
      default:
        return { value: this.at(slot, CONN_FD) };
    }
  }

  private canRead(slot: number): boolean {
    const f = this.flags(slot);
    return f & NP_SERVER ? (f & NP_INBOUND) !== 0 : (f & NP_OUTBOUND) !== 0;
  }

  private canWrite(slot: number): boolean {
    const f = this.flags(slot);
    return f & NP_SERVER ? (f & NP_OUTBOUND) !== 0 : (f & NP_INBOUND) !== 0;
  }

  /** ReadFile: the bytes read into `view`; ERROR_MORE_DATA (with the count) when a message
   *  did not fit in message read mode. */
  read(slot: number, view: Uint8Array): PipeResult<number> {
    const c = this.connection(slot);
    if (c.error !== undefined) return c;
    if (!this.canRead(slot)) return { error: ERROR_ACCESS_DENIED };
    const fd = c.value;
    const f = this.flags(slot);
    if (f & NP_NOWAIT && !readableWithin(fd, 0)) return { error: ERROR_NO_DATA };
    if (!(f & NP_MESSAGE_TYPE)) {
      if (view.length === 0) return { value: 0 };
      const n = recvSome(fd, view);
      return n > 0 ? { value: n } : { error: ERROR_BROKEN_PIPE };
    }
    let left = this.at(slot, REMAINING);
    if (left === 0) {
      const head = new Uint8Array(4);
      if (recvExactly(fd, head) !== 4) return { error: ERROR_BROKEN_PIPE };
      left = new DataView(head.buffer).getUint32(0, true);
    }
    const want = Math.min(left, view.length);
    // Message read mode takes the message whole (up to the buffer); byte mode what is there.
    const got = f & NP_READ_MESSAGE ? recvExactly(fd, view.subarray(0, want)) : want === 0 ? 0 : recvSome(fd, view.subarray(0, want));
    if (got < 0 || (got === 0 && want > 0)) return { error: ERROR_BROKEN_PIPE };
    this.set(slot, REMAINING, left - got);
    if (left - got > 0 && f & NP_READ_MESSAGE) return { error: ERROR_MORE_DATA, value: got };
    return { value: got };
  }

  /** WriteFile: all of `data` (one message on a message-type pipe). */
  write(slot: number, data: Uint8Array): PipeResult<number> {
    const c = this.connection(slot);
    if (c.error !== undefined) return c;
    if (!this.canWrite(slot)) return { error: ERROR_ACCESS_DENIED };
    let out = data;
    if (this.flags(slot) & NP_MESSAGE_TYPE) {
      out = new Uint8Array(4 + data.length);
      new DataView(out.buffer).setUint32(0, data.length, true);
      out.set(data, 4);
    } else if (data.length === 0) return { value: 0 };
    const r = sendAll(c.value, out);
    if (r === -EPIPE || r === -ECONNRESET) return { error: ERROR_NO_DATA };
    if (r < 0) return { error: ERROR_NO_DATA };
    return { value: data.length };
  }

  /** PeekNamedPipe: up to `size` bytes of what waits (of the current message on a message
   *  pipe), the data bytes waiting, and the bytes left of the current message. */
  peek(slot: number, size: number): PipeResult<{ data: Uint8Array; available: number; left: number }> {
    const c = this.connection(slot);
    if (c.error !== undefined) return { error: c.error };
    const fd = c.value;
    const raw = Math.max(0, bytesAvailable(fd));
    if (raw === 0) {
      if (this.peerGone(fd)) return { error: ERROR_BROKEN_PIPE };
      return { value: { data: new Uint8Array(0), available: 0, left: 0 } };
    }
    const buf = new Uint8Array(raw);
    const n = Math.max(0, recvSome(fd, buf, { peek: true, nowait: true }));
    const bytes = buf.subarray(0, n);
    if (!(this.flags(slot) & NP_MESSAGE_TYPE)) return { value: { data: bytes.slice(0, size), available: n, left: 0 } };
    // Walk the frames: the current message's rest, then whole messages.
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let pos = 0;
    let available = 0;
    let first: Uint8Array | undefined;
    let firstLeft = 0;
    let left = this.at(slot, REMAINING);
    for (;;) {
      if (left === 0) {
        if (pos + 4 > n) break;
        left = dv.getUint32(pos, true);
        pos += 4;
      }
      const take = Math.min(left, n - pos);
      if (!first) {
        first = bytes.subarray(pos, pos + take);
        firstLeft = left;
      }
      available += take;
      pos += take;
      left -= take;
      if (pos >= n) break;
    }
    const data = (first ?? new Uint8Array(0)).slice(0, size);
    return { value: { data, available, left: firstLeft - data.length } };
  }

  /**
   * The descriptor a child process gets for this end (a standard or inherited handle): the
   * connection of a byte-type pipe, which the child reads and writes as an anonymous pipe;
   * -1 for a message-type pipe (its framing would reach the child raw) or one not connected.
   */
  descriptorForChild(slot: number): number {
    this.settle(slot);
    const st = this.state(slot);
    if (this.flags(slot) & NP_MESSAGE_TYPE || (st !== PipeState.Connected && st !== PipeState.Client)) return -1;
    return this.at(slot, CONN_FD);
  }

  info(slot: number): PipeInfo {
    return { flags: this.flags(slot), maxInstances: this.at(slot, MAX_INSTANCES), outSize: this.at(slot, OUT_SIZE), inSize: this.at(slot, IN_SIZE) };
  }

  /** SetNamedPipeHandleState's mode: NP_READ_MESSAGE and NP_NOWAIT. */
  setMode(slot: number, readMessage: boolean, nowait: boolean): void {
    const f = this.flags(slot) & ~(NP_READ_MESSAGE | NP_NOWAIT);
    this.set(slot, FLAGS, f | (readMessage ? NP_READ_MESSAGE : 0) | (nowait ? NP_NOWAIT : 0));
  }

  addRef(slot: number): void {
    Atomics.add(this.w, WORDS * slot + REFS, 1);
  }

  /** Drops a handle; the last one closes the connection and, for a server instance, removes
   *  it. */
  release(slot: number): void {
    if (Atomics.sub(this.w, WORDS * slot + REFS, 1) !== 1) return;
    // Only close: a child process may hold the same connection (an inherited byte-mode end),
    // and the other end reads its end when the last holder closes, as on Windows.
    const c = this.at(slot, CONN_FD);
    if (c >= 0) closeDescriptor(c);
    const l = this.at(slot, LISTEN_FD);
    if (l >= 0) closeDescriptor(l);
    if (this.flags(slot) & NP_SERVER) {
      const path = this.path(slot);
      if (path) {
        hostFs.unlink(path);
        // The name's directory goes with its last instance (rmdir fails while others remain).
        hostFs.rmdir(path.slice(0, path.lastIndexOf('/')));
      }
    }
    this.free(slot);
  }

  private free(slot: number): void {
    this.set(slot, STATE, PipeState.Free);
  }
}
