/** The guest's starting environment and standard handles. */
import { failed, hostFs } from '../host/fs.js';
import { HandleType } from '../kernel/handles.js';

/** The variables Windows programs expect, added when the host does not set them; TEMP and TMP
 *  given as Unix paths are shown as DOS paths. */
export function guestEnvironment(host: Record<string, string | undefined>, user: string, toDos: (unix: string) => string): Map<string, string> {
  const env = new Map(Object.entries(host).filter((e): e is [string, string] => e[1] !== undefined));
  const profile = `C:\\users\\${user}`;
  const defaults: Record<string, string> = {
    SystemDrive: 'C:',
    SystemRoot: 'C:\\windows',
    windir: 'C:\\windows',
    ComSpec: 'C:\\windows\\system32\\cmd.exe',
    USERPROFILE: profile,
    USERNAME: user,
    HOMEDRIVE: 'C:',
    HOMEPATH: `\\users\\${user}`,
    APPDATA: `${profile}\\AppData\\Roaming`,
    LOCALAPPDATA: `${profile}\\AppData\\Local`,
    ProgramData: 'C:\\ProgramData',
    TEMP: `${profile}\\AppData\\Local\\Temp`,
    TMP: `${profile}\\AppData\\Local\\Temp`,
  };
  for (const name of ['TEMP', 'TMP']) {
    const v = env.get(name);
    if (v?.startsWith('/')) env.set(name, toDos(v));
  }
  const upper = new Set([...env.keys()].map((k) => k.toUpperCase()));
  for (const [k, v] of Object.entries(defaults)) if (!upper.has(k.toUpperCase())) env.set(k, v);
  return env;
}

/** What a standard descriptor is: a file, a pipe, or a console (terminal, /dev/null …). */
export function stdHandleType(fd: number): HandleType {
  const st = hostFs.fstat(fd);
  if (failed(st)) return HandleType.Console;
  if (st.isFile) return HandleType.File;
  if (st.isFifo || st.isSocket) return HandleType.Pipe;
  return HandleType.Console;
}
