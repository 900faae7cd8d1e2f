/**
 * Terminal input bytes → Windows key events (KEY_EVENT_RECORD): characters, control keys, and
 * the escape sequences xterm-style terminals send for cursor, editing and function keys.
 */
export interface KeyEvent {
  vk: number;
  scan: number;
  char: number;
  /** dwControlKeyState: LEFT_CTRL_PRESSED 0x8, SHIFT_PRESSED 0x10, ENHANCED_KEY 0x100, LEFT_ALT_PRESSED 0x2. */
  state: number;
}

const LEFT_ALT = 0x2;
const LEFT_CTRL = 0x8;
const SHIFT = 0x10;
const ENHANCED = 0x100;

/** Virtual-key code and scan code of the enhanced (E0-prefixed) keys, by their CSI final or number. */
const CSI_FINAL: Record<string, [number, number]> = { A: [0x26, 0x48], B: [0x28, 0x50], C: [0x27, 0x4d], D: [0x25, 0x4b], H: [0x24, 0x47], F: [0x23, 0x4f] };
const CSI_TILDE: Record<number, [number, number, boolean]> = {
  1: [0x24, 0x47, true], 2: [0x2d, 0x52, true], 3: [0x2e, 0x53, true], 4: [0x23, 0x4f, true], 5: [0x21, 0x49, true], 6: [0x22, 0x51, true],
  7: [0x24, 0x47, true], 8: [0x23, 0x4f, true],
  11: [0x70, 0x3b, false], 12: [0x71, 0x3c, false], 13: [0x72, 0x3d, false], 14: [0x73, 0x3e, false], 15: [0x74, 0x3f, false],
  17: [0x75, 0x40, false], 18: [0x76, 0x41, false], 19: [0x77, 0x42, false], 20: [0x78, 0x43, false], 21: [0x79, 0x44, false], 23: [0x7a, 0x57, false], 24: [0x7b, 0x58, false],
};
const SS3: Record<string, [number, number]> = { P: [0x70, 0x3b], Q: [0x71, 0x3c], R: [0x72, 0x3d], S: [0x73, 0x3e], A: [0x26, 0x48], B: [0x28, 0x50], C: [0x27, 0x4d], D: [0x25, 0x4b], H: [0x24, 0x47], F: [0x23, 0x4f] };

/** US keyboard scan codes of the printable ASCII characters (set 1). */
const SCAN_ROW = ['1234567890-=', 'qwertyuiop[]', "asdfghjkl;'`", 'zxcvbnm,./'];
const SCAN_START = [0x02, 0x10, 0x1e, 0x2c];
const SHIFTED = '!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:"~ZXCVBNM<>?|';
const UNSHIFTED = "1234567890-=qwertyuiop[]asdfghjkl;'`zxcvbnm,./\\";

function scanOf(ch: string): number {
  const lower = SHIFTED.includes(ch) ? UNSHIFTED[SHIFTED.indexOf(ch)]! : ch.toLowerCase();
  if (lower === ' ') return 0x39;
  if (lower === '\\') return 0x2b;
  for (let r = 0; r < SCAN_ROW.length; r++) {
    const i = SCAN_ROW[r]!.indexOf(lower);
    if (i >= 0) return SCAN_START[r]! + i;
  }
  return 0;
}

/** VK code of a printable character on a US layout (letters and digits are their upper-case ASCII). */
function vkOf(ch: string): number {
  const c = ch.toUpperCase().charCodeAt(0);
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x20) return c;
  const oem: Record<string, number> = { ';': 0xba, ':': 0xba, '=': 0xbb, '+': 0xbb, ',': 0xbc, '<': 0xbc, '-': 0xbd, _: 0xbd, '.': 0xbe, '>': 0xbe, '/': 0xbf, '?': 0xbf, '`': 0xc0, '~': 0xc0, '[': 0xdb, '{': 0xdb, '\\': 0xdc, '|': 0xdc, ']': 0xdd, '}': 0xdd, "'": 0xde, '"': 0xde };
  const shiftedDigit = ')!@#$%^&*('.indexOf(ch);
  if (shiftedDigit >= 0) return 0x30 + shiftedDigit;
  return oem[ch] ?? 0;
}

const isShifted = (ch: string): boolean => (ch >= 'A' && ch <= 'Z') || SHIFTED.includes(ch);

/** Parses terminal input (UTF-8) into key presses. */
export function keyEvents(bytes: Uint8Array): KeyEvent[] {
  const text = new TextDecoder().decode(bytes);
  const out: KeyEvent[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = ch.charCodeAt(0);
    if (code === 0x1b && i + 1 < text.length) {
      const next = text[i + 1]!;
      if (next === '[') {
        const m = /^\[(\d*)(?:;(\d+))?([A-Za-z~])/.exec(text.slice(i + 1));
        if (m) {
          i += m[0].length;
          const mod = Number(m[2] ?? 1) - 1; // xterm: 1 + shift(1) + alt(2) + ctrl(4)
          const state = (mod & 1 ? SHIFT : 0) | (mod & 2 ? LEFT_ALT : 0) | (mod & 4 ? LEFT_CTRL : 0);
          if (m[3] === '~') {
            const k = CSI_TILDE[Number(m[1])];
            if (k) out.push({ vk: k[0], scan: k[1], char: 0, state: state | (k[2] ? ENHANCED : 0) });
          } else {
            const k = CSI_FINAL[m[3]!];
            if (k) out.push({ vk: k[0], scan: k[1], char: 0, state: state | ENHANCED });
          }
          continue;
        }
      } else if (next === 'O' && i + 2 < text.length) {
        const k = SS3[text[i + 2]!];
        if (k) {
          out.push({ vk: k[0], scan: k[1], char: 0, state: k[0] >= 0x70 ? 0 : ENHANCED });
          i += 2;
          continue;
        }
      } else {
        // Alt+key arrives as ESC before the key.
        const k = keyEvents(new TextEncoder().encode(next))[0];
        if (k) {
          out.push({ ...k, state: k.state | LEFT_ALT });
          i += 1;
          continue;
        }
      }
    }
    if (code === 0x0d || code === 0x0a) out.push({ vk: 0x0d, scan: 0x1c, char: 0x0d, state: 0 });
    else if (code === 0x7f || code === 0x08) out.push({ vk: 0x08, scan: 0x0e, char: 0x08, state: 0 });
    else if (code === 0x09) out.push({ vk: 0x09, scan: 0x0f, char: 0x09, state: 0 });
    else if (code === 0x1b) out.push({ vk: 0x1b, scan: 0x01, char: 0x1b, state: 0 });
    else if (code === 0) out.push({ vk: 0x20, scan: 0x39, char: 0, state: LEFT_CTRL });
    else if (code < 0x20) {
      const letter = String.fromCharCode(code + 0x40);
      out.push({ vk: letter.charCodeAt(0), scan: scanOf(letter), char: code, state: LEFT_CTRL });
    } else {
      // A character beyond the keyboard's (or one a surrogate pair makes) is typed as is.
      out.push({ vk: vkOf(ch), scan: scanOf(ch), char: code, state: isShifted(ch) ? SHIFT : 0 });
    }
  }
  return out;
}
