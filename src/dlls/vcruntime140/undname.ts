/**
 * Undecorating the type names MSVC keeps in RTTI type descriptors (".?AVFoo@bar@@", ".H",
 * ".PEBD"), as type_info::name() shows them on x64: "class bar::Foo", "int",
 * "char const * __ptr64". Covers data types: the built-in types, classes, structs, unions and
 * enums with their scopes, templates with type and integer arguments, pointers and references
 * with their qualifiers, arrays and function pointers. Anything else returns undefined.
 */

const BUILTIN: Readonly<Record<string, string>> = {
  C: 'signed char', D: 'char', E: 'unsigned char', F: 'short', G: 'unsigned short', H: 'int', I: 'unsigned int',
  J: 'long', K: 'unsigned long', M: 'float', N: 'double', O: 'long double', X: 'void',
};
const BUILTIN_UNDERSCORE: Readonly<Record<string, string>> = {
  J: '__int64', K: 'unsigned __int64', N: 'bool', W: 'wchar_t', S: 'char16_t', U: 'char32_t', Q: 'char8_t',
};
const KEYWORD: Readonly<Record<string, string>> = { T: 'union', U: 'struct', V: 'class' };
const CALLING: Readonly<Record<string, string>> = { A: '__cdecl', C: '__pascal', E: '__thiscall', G: '__stdcall', I: '__fastcall', Q: '__vectorcall' };
const CV = ['', ' const', ' volatile', ' const volatile'];

class Parser {
  private at = 0;
  private names: string[] = [];
  private types: string[] = [];
  constructor(private readonly s: string) {}

  fail(): never {
    throw new SyntaxError(`undecorate: unexpected at ${this.at} in ${this.s}`);
  }
  peek(): string {
    return this.s[this.at] ?? '';
  }
  take(): string {
    const c = this.s[this.at++];
    if (c === undefined) this.fail();
    return c;
  }
  done(): boolean {
    return this.at === this.s.length;
  }

  /** An encoded number: 0-9 are 1-10, else hex digits A-P ended by '@'; '?' negates. */
  number(): number {
    const negative = this.peek() === '?';
    if (negative) this.at++;
    const c = this.take();
    let v: number;
    if (c >= '0' && c <= '9') v = c.charCodeAt(0) - 47;
    else {
      v = 0;
      for (let d = c; d !== '@'; d = this.take()) {
        if (d < 'A' || d > 'P') this.fail();
        v = v * 16 + (d.charCodeAt(0) - 65);
      }
    }
    return negative ? -v : v;
  }

  /** One name component: a back-reference, a template instance, or text ended by '@'. */
  component(): string {
    const c = this.peek();
    if (c >= '0' && c <= '9') {
      this.at++;
      return this.names[c.charCodeAt(0) - 48] ?? this.fail();
    }
    let name: string;
    if (this.s.startsWith('?$', this.at)) {
      this.at += 2;
      // A template has its own back-reference scopes.
      const [names, types] = [this.names, this.types];
      this.names = [];
      this.types = [];
      const base = this.component();
      const args = this.list(() => this.templateArg());
      this.names = names;
      this.types = types;
      const inner = args.join(',');
      name = `${base}<${inner}${inner.endsWith('>') ? ' ' : ''}>`;
    } else {
      const end = this.s.indexOf('@', this.at);
      if (end <= this.at) this.fail();
      name = this.s.slice(this.at, end);
      this.at = end + 1;
    }
    if (this.names.length < 10) this.names.push(name);
    return name;
  }

  /** A scoped name, innermost component first, ended by '@'. */
  qualified(): string {
    const parts: string[] = [];
    while (this.peek() !== '@') parts.unshift(this.component());
    this.at++;
    return parts.join('::');
  }

  /** Items up to the '@' that ends the list. */
  list(item: () => string): string[] {
    const out: string[] = [];
    while (this.peek() !== '@') {
      if (this.done()) this.fail();
      out.push(item());
    }
    this.at++;
    return out;
  }

  templateArg(): string {
    if (this.s.startsWith('$0', this.at)) {
      this.at += 2;
      return String(this.number());
    }
    return this.argType();
  }

  /** A type in an argument list, where 0-9 refer back to earlier multi-character types. */
  argType(): string {
    const c = this.peek();
    if (c >= '0' && c <= '9') {
      this.at++;
      return this.types[c.charCodeAt(0) - 48] ?? this.fail();
    }
    const start = this.at;
    const t = this.type();
    if (this.at - start > 1 && this.types.length < 10) this.types.push(t);
    return t;
  }

  /** A data type. `suffix` is what follows the type in a declarator (pointers' text). */
  type(suffix = ''): string {
    const c = this.take();
    const tail = suffix === '' ? '' : ` ${suffix}`;
    if (BUILTIN[c] !== undefined) return BUILTIN[c] + tail;
    if (c === '_') return (BUILTIN_UNDERSCORE[this.take()] ?? this.fail()) + tail;
    if (KEYWORD[c] !== undefined) return `${KEYWORD[c]} ${this.qualified()}${tail}`;
    if (c === 'W') {
      this.take(); // the underlying type's size class
      return `enum ${this.qualified()}${tail}`;
    }
    if (c === 'P' || c === 'Q' || c === 'R' || c === 'S' || c === 'A') return this.pointer(c, suffix);
    if (c === '$') {
      if (this.s.startsWith('$Q', this.at)) {
        this.at += 2;
        return this.pointer('&&', suffix);
      }
      if (this.s.startsWith('$BY', this.at)) {
        this.at += 3;
        const dims: number[] = [];
        for (let n = this.number(); n > 0; n--) dims.push(this.number());
        return this.type(`${suffix === '' ? '' : `(${suffix}) `}${dims.map((d) => `[${d}]`).join('')}`);
      }
    }
    return this.fail();
  }

  /** A pointer (P, and Q/R/S for a const/volatile one) or reference (A, &&) to its target. */
  pointer(kind: string, suffix: string): string {
    if (this.peek() === '6') {
      // A function: calling convention, return type, arguments, throw specification.
      this.at++;
      const call = CALLING[this.take()] ?? this.fail();
      const ret = this.argType();
      let args: string[];
      if (this.peek() === 'X') {
        this.at++;
        args = ['void'];
      } else args = this.list(() => this.argType());
      if (this.take() !== 'Z') this.fail();
      return `${ret} (${call}*${suffix})(${args.join(',')})`;
    }
    let ptr64 = '';
    if (this.peek() === 'E') {
      this.at++;
      ptr64 = ' __ptr64';
    }
    const cv = CV['ABCD'.indexOf(this.take())] ?? this.fail();
    const self = kind === 'A' ? '&' : kind === '&&' ? '&&' : '*';
    const own = kind === 'Q' ? ' const' : kind === 'R' ? ' volatile' : kind === 'S' ? ' const volatile' : '';
    const declarator = `${self}${ptr64}${own}${suffix === '' ? '' : ` ${suffix}`}`;
    return `${this.type()}${cv} ${declarator}`;
  }
}

/** type_info::name() for a type descriptor's decorated name (without its leading '.'). */
export function undecorateTypeName(decorated: string): string | undefined {
  try {
    const p = new Parser(decorated.startsWith('?A') ? decorated.slice(2) : decorated);
    const name = p.type();
    return p.done() ? name : undefined;
  } catch (e) {
    if (e instanceof SyntaxError) return undefined;
    throw e;
  }
}
