/**
 * The registry's journal (kernel/registry.ts): the changes a realm made since it last wrote a
 * hive, replayed on the version another writer (a process, or another thread's realm) put in
 * the file, and that version taken into the live tree in place, so that open key handles keep
 * their keys.
 */
import { ensurePath, findPath, type RegKey, type RegValue } from './regtree.js';

export type JournalOp = { key?: RegKey } & ({ op: 'key'; path: string[] } | { op: 'set'; path: string[]; value: RegValue } | { op: 'unset'; path: string[]; name: string } | { op: 'delete'; path: string[] });

/** Applies one journaled change to a tree read from disk. */
export function replay(root: RegKey, op: JournalOp, now: bigint): void {
  switch (op.op) {
    case 'key':
      ensurePath(root, op.path, now);
      return;
    case 'set':
      ensurePath(root, op.path, now).setValue(op.value, now);
      return;
    case 'unset':
      findPath(root, op.path)?.deleteValue(op.name, now);
      return;
    case 'delete': {
      const k = findPath(root, op.path);
      if (k?.parent) k.parent.removeChild(k, now);
      return;
    }
  }
}

/** Makes `live` equal to `fresh` in place, so open handles keep their keys: new keys are
 *  moved in, keys gone from `fresh` are marked deleted, volatile keys stay. */
export function adopt(live: RegKey, fresh: RegKey, now: bigint): void {
  live.values.clear();
  for (const [f, v] of fresh.values) live.values.set(f, v);
  for (const [f, lc] of [...live.subkeys]) {
    if (!lc.volatile && !fresh.subkeys.has(f)) live.removeChild(lc, now);
  }
  for (const [f, fc] of fresh.subkeys) {
    const lc = live.subkeys.get(f);
    if (lc) {
      if (!lc.volatile) adopt(lc, fc, now);
    } else {
      fc.parent = live;
      live.subkeys.set(f, fc);
    }
  }
  live.changed(now);
}
