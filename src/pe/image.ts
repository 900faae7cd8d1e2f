/**
 * parsePe: bytes in, every header and directory out, validated. Each directory parser is
 * also usable alone (the loader parses only what it needs).
 */
import { Dir } from './constants.js';
import { parseExceptions, type ExceptionDirectory } from './exceptions.js';
import { parseExports, type ExportDirectory } from './exports.js';
import { PeView, parseHeaders, type PeHeaders } from './headers.js';
import { parseDelayImports, parseImports, type DelayImportedDll, type ImportedDll } from './imports.js';
import { parseDebug, parseLoadConfig, type DebugDirectory, type LoadConfig } from './loadconfig.js';
import { parseRelocations, type RelocationTable } from './relocations.js';
import { parseResources, type ResourceDirectory } from './resources.js';
import { parseTls, type TlsDirectory } from './tls.js';

export interface PeImage extends PeHeaders {
  readonly fileSize: number;
  readonly isDll: boolean;
  readonly imports: readonly ImportedDll[];
  readonly delayImports: readonly DelayImportedDll[];
  /** The image has a bound-import directory; winrun ignores bindings. */
  readonly hasBoundImports: boolean;
  /** The image has a CLR header (a .NET assembly). */
  readonly isManaged: boolean;
  readonly exports?: ExportDirectory;
  readonly relocations: RelocationTable;
  readonly tls?: TlsDirectory;
  readonly exceptions: ExceptionDirectory;
  readonly resources?: ResourceDirectory;
  readonly loadConfig?: LoadConfig;
  readonly debug?: DebugDirectory;
}

/** Parses and validates a PE32+ image. Throws PeError, and nothing else, on bad input. */
export function parsePe(bytes: Uint8Array): PeImage {
  const headers = parseHeaders(bytes);
  const view = new PeView(bytes, headers);
  const exports = parseExports(view);
  const tls = parseTls(view);
  const resources = parseResources(view);
  const loadConfig = parseLoadConfig(view);
  const debug = parseDebug(view);
  return {
    ...headers,
    fileSize: bytes.byteLength,
    isDll: (headers.fileHeader.Characteristics & 0x2000) !== 0,
    imports: parseImports(view),
    delayImports: parseDelayImports(view),
    hasBoundImports: view.directory(Dir.BoundImport) !== undefined,
    isManaged: view.directory(Dir.ComDescriptor) !== undefined,
    relocations: parseRelocations(view),
    exceptions: parseExceptions(view),
    ...(exports && { exports }),
    ...(tls && { tls }),
    ...(resources && { resources }),
    ...(loadConfig && { loadConfig }),
    ...(debug && { debug }),
  };
}

/** What the loader needs to map and link an image: headers, imports, exports, relocations and
 *  TLS — without decoding the exception table, resources, load config or debug data. */
export interface LoadableImage extends PeHeaders {
  readonly isDll: boolean;
  readonly imports: readonly ImportedDll[];
  readonly exports?: ExportDirectory;
  readonly relocations: RelocationTable;
  readonly tls?: TlsDirectory;
}

export function parsePeForLoading(bytes: Uint8Array): LoadableImage {
  const headers = parseHeaders(bytes);
  const view = new PeView(bytes, headers);
  const exports = parseExports(view);
  const tls = parseTls(view);
  return {
    ...headers,
    isDll: (headers.fileHeader.Characteristics & 0x2000) !== 0,
    imports: parseImports(view),
    relocations: parseRelocations(view),
    ...(exports && { exports }),
    ...(tls && { tls }),
  };
}
