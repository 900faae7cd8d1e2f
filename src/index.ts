/** The winrun library API. */
export * from './pe/index.js';
export { buildInfoReport, formatInfo, type InfoReport } from './cli/info.js';
export { VERSION } from './version.js';
