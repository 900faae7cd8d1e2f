/** The winrun library API. */
export * from './pe/index.js';
export { buildInfoReport, formatInfo, type InfoReport } from './cli/info.js';
export { VERSION } from './version.js';
export { spawn, run, ntStatusName, WinrunProcess, type SpawnOptions, type RunOptions, type RunResult, type ExitInfo, type TraceEvent } from './host/library.js';
