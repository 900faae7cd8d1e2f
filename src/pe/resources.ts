/**
 * Resource directory (IMAGE_DIRECTORY_ENTRY_RESOURCE): the type / name / language tree down
 * to the data entries that FindResource, LoadString and version-info readers use.
 */
import { Dir } from './constants.js';
import { PeError, hex } from './errors.js';
import type { PeView } from './headers.js';
import { IMAGE_RESOURCE_DATA_ENTRY, IMAGE_RESOURCE_DIRECTORY, IMAGE_RESOURCE_DIRECTORY_ENTRY } from './structs.js';

export interface ResourceData {
  readonly kind: 'data';
  /** RVA and size of the resource bytes. */
  readonly rva: number;
  readonly size: number;
  readonly codePage: number;
}

export interface ResourceDirectory {
  readonly kind: 'directory';
  readonly characteristics: number;
  readonly timeDateStamp: number;
  readonly majorVersion: number;
  readonly minorVersion: number;
  /** Named entries first (sorted by name), then ID entries (sorted by ID), as stored. */
  readonly entries: readonly ResourceEntry[];
}

export interface ResourceEntry {
  /** Exactly one of name and id is set. */
  readonly name?: string;
  readonly id?: number;
  readonly node: ResourceDirectory | ResourceData;
}

/** Real trees are 3 deep (type, name, language). */
export const MAX_RESOURCE_DEPTH = 16;
/** Bound on nodes visited, so that shared subtrees cannot multiply the work. */
export const MAX_RESOURCE_NODES = 1 << 17;

const SUBDIR = 0x80000000;
const NAME_IS_STRING = 0x80000000;

export function parseResources(view: PeView): ResourceDirectory | undefined {
  const dir = view.directory(Dir.Resource);
  if (!dir) return undefined;
  const r = view.r;
  const root = dir.VirtualAddress;
  let nodes = 0;
  const onPath = new Set<number>();

  const readName = (offset: number): string => {
    const rva = root + offset;
    const off = view.offsetOf(rva, 2, 'resource name');
    const len = r.u16(off);
    const strOff = view.offsetOf(rva + 2, len * 2, 'resource name');
    return r.utf16(strOff, len);
  };

  const readDirectory = (offset: number, depth: number): ResourceDirectory => {
    if (onPath.has(offset)) {
      throw new PeError('ResourceCycle', `resource directory at offset ${hex(offset)} contains itself`);
    }
    if (depth > MAX_RESOURCE_DEPTH) {
      throw new PeError('BadResource', `resource tree is deeper than ${MAX_RESOURCE_DEPTH} levels`);
    }
    const D = IMAGE_RESOURCE_DIRECTORY;
    const E = IMAGE_RESOURCE_DIRECTORY_ENTRY;
    const rva = root + offset;
    const d = D.read(r, view.offsetOf(rva, D.size, 'resource directory'), 'resource directory');
    const n = d.NumberOfNamedEntries + d.NumberOfIdEntries;
    if (view.bytesAvailable(rva + D.size) < n * E.size) {
      throw new PeError('BadCount', `resource directory at offset ${hex(offset)} claims ${n} entries, more than its section holds`);
    }
    const entOff = view.offsetOf(rva + D.size, n * E.size, 'resource directory entries');
    onPath.add(offset);
    const entries: ResourceEntry[] = [];
    for (let i = 0; i < n; i++) {
      if (++nodes > MAX_RESOURCE_NODES) {
        throw new PeError('BadResource', `resource tree has more than ${MAX_RESOURCE_NODES} nodes`);
      }
      const nameField = r.u32(entOff + i * E.size);
      const target = r.u32(entOff + i * E.size + 4);
      const key = (nameField & NAME_IS_STRING) !== 0 ? { name: readName(nameField & ~NAME_IS_STRING) } : { id: nameField & 0xffff };
      let node: ResourceDirectory | ResourceData;
      if ((target & SUBDIR) !== 0) {
        node = readDirectory(target & ~SUBDIR, depth + 1);
      } else {
        const A = IMAGE_RESOURCE_DATA_ENTRY;
        const de = A.read(r, view.offsetOf(root + target, A.size, 'resource data entry'), 'resource data entry');
        if (!view.inImage(de.OffsetToData, de.Size)) {
          throw new PeError('BadRva', `resource data at RVA ${hex(de.OffsetToData)} (${de.Size} bytes) lies outside the image`);
        }
        node = { kind: 'data', rva: de.OffsetToData, size: de.Size, codePage: de.CodePage };
      }
      entries.push({ ...key, node });
    }
    onPath.delete(offset);
    return {
      kind: 'directory',
      characteristics: d.Characteristics,
      timeDateStamp: d.TimeDateStamp,
      majorVersion: d.MajorVersion,
      minorVersion: d.MinorVersion,
      entries,
    };
  };
  return readDirectory(0, 0);
}

/** Flattens the tree into type/name/language leaves, the shape most callers want. */
export function listResources(root: ResourceDirectory): { path: (string | number)[]; data: ResourceData }[] {
  const out: { path: (string | number)[]; data: ResourceData }[] = [];
  const walk = (d: ResourceDirectory, path: (string | number)[]): void => {
    for (const e of d.entries) {
      const p = [...path, e.name ?? e.id!];
      if (e.node.kind === 'data') out.push({ path: p, data: e.node });
      else walk(e.node, p);
    }
  };
  walk(root, []);
  return out;
}
