/** The CLI's view of its own process: arguments, output streams, exit. */
export interface Stdio {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Stdio = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

export function commandLineArguments(): string[] {
  return process.argv.slice(2);
}

export function setExitCode(code: number): void {
  process.exitCode = code;
}
