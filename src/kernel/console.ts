/**
 * Where the console cursor is. A terminal is not asked (that would mean reading its answer
 * from the input the program owns); winrun follows what is written to it instead. Columns are
 * exact for text and CSI/OSC escape sequences; the row is relative: it starts at the bottom of
 * the window, grows with each line feed up to the bottom, and positions are turned into
 * relative cursor movements, so rewriting the current line or the lines above works wherever
 * the program started.
 */
import { CONSOLE } from '../native/layout.js';
import type { AddressSpace } from '../native/memory.js';

export interface WindowSize {
  cols: number;
  rows: number;
}

export interface Cursor {
  x: number;
  y: number;
}

/** The tracked cursor (the bottom row until something moves it). */
export function cursorOf(mem: AddressSpace, block: number, size: WindowSize): Cursor {
  const y = mem.u32(block + CONSOLE.CursorY);
  return { x: Math.min(mem.u32(block + CONSOLE.CursorX), size.cols - 1), y: y === 0xffffffff ? size.rows - 1 : Math.min(y, size.rows - 1) };
}

export function setCursor(mem: AddressSpace, block: number, c: Cursor): void {
  mem.setU32(block + CONSOLE.CursorX, c.x);
  mem.setU32(block + CONSOLE.CursorY, c.y);
}

const ESC = 0x1b;

/** Advances the tracked cursor over bytes written to the terminal (UTF-8). */
export function trackOutput(mem: AddressSpace, block: number, size: WindowSize, data: Uint8Array): void {
  let { x, y } = cursorOf(mem, block, size);
  const last = size.rows - 1;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === ESC) {
      const kind = data[i + 1];
      if (kind === 0x5b) {
        // CSI: parameters and intermediates, then a final byte 0x40–0x7e.
        i += 2;
        while (i < data.length && (data[i]! < 0x40 || data[i]! > 0x7e)) i++;
      } else if (kind === 0x5d) {
        // OSC: up to BEL or ST (ESC \).
        i += 2;
        while (i < data.length && data[i] !== 0x07 && !(data[i] === ESC && data[i + 1] === 0x5c)) i++;
        if (data[i] === ESC) i++;
      } else i++;
      continue;
    }
    if (b === 0x0a) {
      x = 0;
      y = Math.min(y + 1, last);
    } else if (b === 0x0d) x = 0;
    else if (b === 0x08) x = Math.max(0, x - 1);
    else if (b === 0x09) x = Math.min(size.cols - 1, (x + 8) & ~7);
    else if (b >= 0x20 && (b < 0x80 || b >= 0xc0) && b !== 0x7f) {
      // A character (the lead byte of a UTF-8 sequence counts once).
      if (x >= size.cols) {
        x = 0;
        y = Math.min(y + 1, last);
      }
      x++;
    }
  }
  setCursor(mem, block, { x: Math.min(x, size.cols), y });
}

/** The escape sequence that moves the terminal's cursor from `from` to `to`. */
export function moveSequence(from: Cursor, to: Cursor): string {
  const dy = to.y - from.y;
  const vertical = dy < 0 ? `\x1b[${-dy}A` : dy > 0 ? `\x1b[${dy}B` : '';
  return `${vertical}\x1b[${to.x + 1}G`;
}
