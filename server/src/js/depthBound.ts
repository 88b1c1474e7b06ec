/**
 * An upper bound on the depth of a JS/TS text's syntax tree (levels of non-token nodes, as
 * ./depth.ts counts them), read from its characters in one pass without parsing: the CLI
 * leaves a file no finding can involve out of a run, unless a full run would list it as
 * too deep (../engine/relevance.ts), and parsing every such file only to measure it cost
 * more than a sixth of a node_modules run.
 *
 * Every level of a tree is a node that holds a token of its own (an operator, a keyword, a
 * bracket pair, a template) or one of a few wrappers with none (an expression statement, a
 * declaration, a list item, a type reference). The tokens a chain of nested nodes holds
 * lie on one path through the bracket groups: in each group, within one statement (a
 * block's `;` or a line break that must end one) or one list item (a call's arguments,
 * an array's or an object literal's items, a `var` list's declarations: each comma there
 * separates siblings). So the depth is at most, along the deepest path of groups, the sum
 * of each segment's counted tokens plus a few wrapper levels per segment and per group.
 * Identifiers, numbers and strings are leaves and count nothing.
 *
 * The bound relies on reading the text as TypeScript's scanner does: strings, comments,
 * templates with their substitutions, and `/` as division or a regular expression by the
 * token before it. Where that is not decidable from the tokens alone (a `/` after `}`,
 * after a contextual keyword or after `++`; a `<` that may open JSX; a character outside
 * ASCII or a `\` in code; brackets that do not match; an unterminated string, comment,
 * template or regular expression), it gives up: Infinity, and the caller parses the file.
 *
 * It is an upper bound for code TypeScript reads without a syntax error (test/
 * js-depth-bound.test.ts checks it against the parsed depth of every fixture and of this
 * repository; on the 7,749 node_modules files it is 2.8 times the depth at the median and
 * never under it). A syntax error's recovery can regroup tokens: the one regrouping that
 * nests deeper than the tokens' brackets tell, a broken list read as one comma chain, is
 * guarded ({@link RECOVERY_FACTOR}).
 */

/**
 * wrapper levels a segment may hold beside its counted tokens: one where it starts (an
 * expression statement, a list item, a template span) and one at a leaf (a type reference,
 * a parameter, a shorthand property)
 */
const SEGMENT_LEVELS = 2;
/**
 * How much deeper than the limit a syntax error's recovery may nest a list read as one
 * chain ({@link DepthScan.split}): the front end runs out of stack at about six times the
 * limit the CLI asks for (./depth.ts), so half of that still leaves it room.
 */
const RECOVERY_FACTOR = 3;

/**
 * levels a bracket group adds beside the level its brackets count where they stand: a
 * container whose tokens lie in another segment (a case clause for its later statements)
 */
const GROUP_LEVELS = 1;

// what the previous token was, for `/`, `<`, `{`, `(`, `[` and line breaks
const START = 0;
/** an operator or punctuation after which an operand comes (`=`, `+`, `(`, `,`, `;`, ...) */
const PUNCT = 1;
/** the end of an operand: a name, a literal, `)`, `]` */
const OPERAND = 2;
/** the `)` of an `if`/`while`/`for`/`with` head: a statement follows */
const HEAD = 3;
/** `}` of an object literal, or of a group read as a block that may be one (undecidable for `/`) */
const BRACE = 4;
/** `}` of a block (a statement ends there unless `else`, `while`, `catch`, `in`, ... follows) */
const BLOCK_END = 9;
/** a reserved word after which an operand or a statement comes (`return`, `typeof`, `else`, ...) */
const KEYWORD = 5;
/** a contextual keyword (`await`, `of`, `as`, `get`, `type`, ...): may be a name too */
const CONTEXTUAL = 6;
/** `.` (not `...`): a name follows */
const DOT = 7;
/** the `)` of a `for await (...)`-like head or `await (...)`: undecidable for `/` */
const AMBIGUOUS = 8;

// word kinds
const WORD_NAME = 0;
const WORD_RESERVED = 1;
const WORD_CONTEXTUAL = 2;
/** words that are operands: `this`, `null`, ... and type names (`string`, `number`, ...) that act as identifiers */
const WORD_OPERAND = 3;

const RESERVED = 'break case catch class const continue debugger default delete do else enum export extends finally for function if import in instanceof new return switch throw try typeof var void while with';
const OPERAND_WORDS = 'this super null true false string number boolean any never unknown object symbol bigint undefined require constructor global intrinsic';
const CONTEXTUAL_WORDS = 'implements interface let package private protected public static yield abstract accessor as asserts assert async await declare get infer is keyof module namespace out readonly override satisfies set type unique using from of defer';

const words = new Map<string, number>();
for (const w of RESERVED.split(' ')) words.set(w, WORD_RESERVED);
for (const w of OPERAND_WORDS.split(' ')) words.set(w, WORD_OPERAND);
for (const w of CONTEXTUAL_WORDS.split(' ')) words.set(w, WORD_CONTEXTUAL);
/** keywords by a hash of their characters (no string made per word of the text) */
const byHash = new Map<number, string[]>();
for (const w of words.keys()) {
  const h = hashOf(w, 0, w.length);
  (byHash.get(h) ?? byHash.set(h, []).get(h)!).push(w);
}

function hashOf(text: string, from: number, to: number): number {
  let h = to - from;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

/** what a word tells about the bracket after it */
const ROLE_HEAD = 1; // `if (`, `while (`, `for (`, `with (`: a statement follows the `)`
const ROLE_AWAIT = 2; // `await (` or `for await (`: undecidable
const ROLE_FUNCTION = 3; // `function (`: parameters
const ROLE_OBJECT = 4; // `return {`: an object literal
const ROLE_ELSE = 5; // `else`: goes on with a statement a `;` ended
const ROLE_WHILE = 9; // `while`: the same (`do x; while (y)`), and heads a statement
const ROLE_DECL = 6; // `var`, `const`: a list of declarations
const ROLE_LET = 7; // `let`: the same when a name or pattern follows
const ROLE_ENUM = 8;
const ROLE_YIELD = 10; // `yield <`: may open JSX
const wordRole = new Map<string, number>([
  ['if', ROLE_HEAD], ['for', ROLE_HEAD], ['with', ROLE_HEAD], ['await', ROLE_AWAIT], ['function', ROLE_FUNCTION],
  ...'return throw typeof void delete in instanceof new case default'.split(' ').map((w): [string, number] => [w, ROLE_OBJECT]),
  ['else', ROLE_ELSE], ['while', ROLE_WHILE], ['var', ROLE_DECL], ['const', ROLE_DECL], ['let', ROLE_LET], ['enum', ROLE_ENUM], ['yield', ROLE_YIELD],
]);

/** reserved words a statement cannot go on with on the next line (`else`, `while` of `do`, `catch`, `in`, ... can) */
const CONTINUING = new Set(['else', 'while', 'catch', 'finally', 'in', 'instanceof', 'extends', 'as', 'satisfies', 'of', 'is', 'implements', 'from']);

// frame kinds
const TOP = 0;
const PAREN = 1;
const BRACKET = 2;
const BRACE_GROUP = 3;
const TEMPLATE = 4;

/**
 * An upper bound on the tree depth of `text` (levels below the source file, as
 * ./depth.ts's `isShallow` counts them), or Infinity when the text cannot be read without
 * parsing or the bound exceeds `limit`. `jsx`: the file may hold JSX (TypeScript reads
 * `.js`, `.jsx`, `.mjs`, `.cjs` and `.tsx` files with JSX).
 */
export function depthBound(text: string, jsx: boolean, limit: number): number {
  return (scan ??= new DepthScan()).run(text, jsx, limit);
}

let scan: DepthScan | undefined;

// frame flags
const LIST = 1; // commas separate siblings (arguments, items)
const BLOCK = 2; // statements: `;` and some line breaks separate siblings
const HEAD_OF = 4; // a `(` that heads a statement (`if (`): after its `)` a statement follows
const MAYBE_HEAD = 8; // `await (` or `for await (`: undecidable after its `)`
const DECL = 16; // the segment is a `var`/`const` list (or `let` followed by a name)
const LET = 32; // the segment began with `let`: a list if a name follows
const FRESH = 64; // the segment has no token yet
const MEMBERS = 128; // an object or type literal: `;` and line breaks separate members too (`{ a: string; b: number }`)

/** One scan's state; a class (not closures) so the optimizing compiler keeps one shape and stable call targets. */
class DepthScan {
  // the frames of open bracket groups, index 0 the file
  private kind = new Int32Array(64);
  private flags = new Int32Array(64);
  /** counted tokens of the current segment */
  private seg = new Int32Array(64);
  /** the deepest group closed in the current segment */
  private child = new Int32Array(64);
  /** the deepest segment closed */
  private best = new Int32Array(64);
  /**
   * the tokens and separators of the siblings split off so far in a list (or a `var`
   * list), and their deepest group: the list is trusted only if it would fit unsplit
   */
  private chain = new Int32Array(64);
  private chainChild = new Int32Array(64);
  /** a list did not fit unsplit ({@link chain}) */
  private untrusted = false;
  private top = 0;
  /** the least depth of a path through the open frames' current segments (for an early stop) */
  private open = 0;
  private limit = 0;
  private prev = START;
  /** the previous token's character, when it was punctuation or a bracket */
  private prevChar = 0;
  /** the length of the previous token, when it was an operator (`++` is 2) */
  private prevLen = 0;
  /** a line break since the previous token */
  private newline = false;
  /** a `;` ended a statement in a block: it ends unless `else` or `while` follows */
  private semi = false;
  /** what the previous word tells about a bracket after it (ROLE_*) */
  private lastWord = 0;
  /** the previous word named an enum (its `{` holds a list) */
  private enumName = false;
  private afterEnum = false;

  run(text: string, jsx: boolean, limit: number): number {
    this.top = 0;
    this.kind[0] = TOP;
    this.flags[0] = BLOCK | FRESH;
    this.seg[0] = 0;
    this.child[0] = 0;
    this.best[0] = 0;
    this.chain[0] = 0;
    this.chainChild[0] = 0;
    this.untrusted = false;
    this.open = SEGMENT_LEVELS;
    this.limit = limit;
    this.prev = START;
    this.prevChar = 0;
    this.newline = false;
    this.semi = false;
    this.lastWord = 0;
    this.enumName = false;
    this.afterEnum = false;
    const v = this.scan(text, jsx);
    return v > limit || this.untrusted ? Infinity : v;
  }

  /**
   * A statement ends (in a block: a `var` list's siblings are trusted if the statement fits
   * unsplit) or a list item ends (`sibling`: counted into the list's {@link chain}).
   *
   * TypeScript's recovery from a syntax error can end a list early and read the rest of
   * its items as one comma expression in the enclosing statement (a broken enum or object
   * literal): nested as deep as the items are many. So the siblings of a list count as
   * siblings only if the list would stay under the limit read as one chain.
   */
  private split(sibling = false): void {
    const t = this.top;
    if (sibling) {
      this.chain[t] += this.seg[t] + 1;
      if (this.child[t] > this.chainChild[t]) this.chainChild[t] = this.child[t];
    } else if (this.chain[t] !== 0) {
      this.check();
      this.chain[t] = 0;
      this.chainChild[t] = 0;
    }
    const v = this.seg[t] + this.child[t] + SEGMENT_LEVELS;
    if (v > this.best[t]) this.best[t] = v;
    this.open -= this.seg[t];
    this.seg[t] = 0;
    this.child[t] = 0;
    this.flags[t] = (this.flags[t] & ~(DECL | LET)) | FRESH;
  }

  /**
   * Before each token: a block's statement ends at a `;` (unless `else` or the `while` of
   * a `do` goes on with it: `goesOn`), or at a line break between a token that ends an
   * operand and one that can only start a statement, or after a block's `}` before such a
   * token (`if (a) {} let b`; `else`, `catch`, `in`, ... go on). Returns whether the token
   * is its segment's first.
   */
  private begin(startsStatement: boolean, goesOn: boolean): boolean {
    const t = this.top;
    const members = (this.flags[t] & MEMBERS) !== 0;
    if (members || (this.flags[t] & BLOCK) !== 0) {
      if (this.semi) {
        if (!goesOn) this.split(members);
      } else if (startsStatement && (this.prev === BLOCK_END || (this.newline && (this.prev === OPERAND || this.prev === BRACE)))) {
        this.split(members);
      }
    }
    this.semi = false;
    this.newline = false;
    const f = this.flags[t];
    this.flags[t] = f & ~FRESH;
    return (f & FRESH) !== 0;
  }

  /** whether the top frame's siblings, read as one chain with the current segment, stay under the limit ({@link split}) */
  private check(): void {
    const t = this.top;
    const child = this.child[t] > this.chainChild[t] ? this.child[t] : this.chainChild[t];
    if (this.open + this.chain[t] + child > this.limit * RECOVERY_FACTOR) this.untrusted = true;
  }

  /** counts `k` levels in the current segment; true when the bound passes the limit */
  private count(k: number): boolean {
    this.seg[this.top] += k;
    this.open += k;
    return this.open > this.limit;
  }

  /** opens a group; true when the bound passes the limit */
  private push(kind: number, flags: number): boolean {
    const t = ++this.top;
    if (t === this.kind.length) this.grow();
    this.kind[t] = kind;
    this.flags[t] = flags | FRESH;
    this.seg[t] = 0;
    this.child[t] = 0;
    this.best[t] = 0;
    this.chain[t] = 0;
    this.chainChild[t] = 0;
    this.open += SEGMENT_LEVELS + GROUP_LEVELS;
    this.prev = PUNCT;
    return this.open > this.limit;
  }

  private grow(): void {
    const more = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.kind = more(this.kind);
    this.flags = more(this.flags);
    this.seg = more(this.seg);
    this.child = more(this.child);
    this.best = more(this.best);
    this.chain = more(this.chain);
    this.chainChild = more(this.chainChild);
  }

  /** closes the top group; true when its value passes the limit */
  private pop(): boolean {
    const t = this.top;
    if (this.chain[t] !== 0) this.check();
    const last = this.seg[t] + this.child[t] + SEGMENT_LEVELS;
    const v = GROUP_LEVELS + (last > this.best[t] ? last : this.best[t]);
    this.open -= this.seg[t] + SEGMENT_LEVELS + GROUP_LEVELS;
    this.top = t - 1;
    if (v > this.child[t - 1]) this.child[t - 1] = v;
    return v > this.limit;
  }

  /**
   * The rest of a template from `from` (after its backquote or a substitution's `}`): the
   * index after its closing backquote, or, at a `${` (a group is opened), minus the index
   * after it, minus one (at most -3: never {@link STOP}).
   */
  private template(text: string, from: number): number {
    const n = text.length;
    for (let j = from; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === 92) j++;
      else if (c === 96) return j + 1;
      else if (c === 36 && text.charCodeAt(j + 1) === 123) {
        if (this.push(TEMPLATE, 0)) return STOP;
        this.prevChar = 123;
        return -(j + 2) - 1;
      }
    }
    // unterminated: a syntax error
    return STOP;
  }

  /** after a template's end or a substitution's start, from the value {@link template} returned: the next index */
  private afterTemplate(r: number): number {
    if (r >= 0) {
      this.prev = OPERAND;
      this.prevChar = 0;
    }
    this.lastWord = 0;
    return r >= 0 ? r : -r - 1;
  }

  private scan(text: string, jsx: boolean): number {
    const n = text.length;
    let i = 0;
    // a byte order mark and a hashbang line are trivia
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    if (text.charCodeAt(i) === 35 && text.charCodeAt(i + 1) === 33) while (i < n && text.charCodeAt(i) !== 10) i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 11 || c === 12) {
        i++;
        continue;
      }
      if (c === 10 || c === 13) {
        this.newline = true;
        i++;
        continue;
      }
      // words: names, keywords, numbers
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36) {
        let j = i + 1;
        for (; j < n; j++) {
          const d = text.charCodeAt(j);
          if (!((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || (d >= 48 && d <= 57) || d === 95 || d === 36)) break;
        }
        if (this.word(text, i, j)) return Infinity;
        i = j;
        continue;
      }
      if (c >= 128 || c === 92) return Infinity;
      if (c === 47) {
        const d = text.charCodeAt(i + 1);
        if (d === 47) {
          while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
          continue;
        }
        if (d === 42) {
          // a block comment (unterminated: a syntax error)
          const end = text.indexOf('*/', i + 2);
          if (end < 0) return Infinity;
          const stopAt = end + 2;
          for (let j = i + 2; j < stopAt; j++) {
            const e = text.charCodeAt(j);
            if (e === 10 || e === 13) {
              this.newline = true;
              break;
            }
          }
          i = stopAt;
          continue;
        }
        const prev = this.prev;
        if (prev === OPERAND) {
          // division
          this.begin(false, false);
          if (this.count(1)) return Infinity;
          this.prev = PUNCT;
          this.prevChar = c;
          this.lastWord = 0;
          i++;
          continue;
        }
        if (prev === BRACE || prev === BLOCK_END || prev === CONTEXTUAL || prev === AMBIGUOUS || prev === DOT) return Infinity;
        const p = this.prevChar;
        // `++/`, `--/`: an update operator before
        if ((p === 43 || p === 45) && this.prevLen === 2) return Infinity;
        // `>` closing type arguments in TypeScript (not `=>`)
        if (p === 62 && this.prevLen === 1 && !jsx) return Infinity;
        this.begin(false, false);
        i = regexEnd(text, i);
        if (i === STOP) return Infinity;
        this.prev = OPERAND;
        this.prevChar = 0;
        this.lastWord = 0;
        continue;
      }
      if (c === 39 || c === 34) {
        this.begin(true, false);
        i = stringEnd(text, i, c);
        if (i === STOP) return Infinity;
        this.prev = OPERAND;
        this.prevChar = 0;
        this.lastWord = 0;
        continue;
      }
      if (c === 96) {
        // a template: one level (a tag chain nests one per template); its substitutions are groups
        this.begin(false, false);
        if (this.count(1)) return Infinity;
        const r = this.template(text, i + 1);
        if (r === STOP) return Infinity;
        i = this.afterTemplate(r);
        continue;
      }
      if (c === 40 || c === 91 || c === 123) {
        if (this.opening(c)) return Infinity;
        i++;
        continue;
      }
      if (c === 41 || c === 93 || c === 125) {
        const k = this.kind[this.top];
        this.semi = false;
        this.newline = false;
        if (c === 125 && k === TEMPLATE) {
          if (this.pop()) return Infinity;
          const r = this.template(text, i + 1);
          if (r === STOP) return Infinity;
          i = this.afterTemplate(r);
          continue;
        }
        if (k !== (c === 41 ? PAREN : c === 93 ? BRACKET : BRACE_GROUP)) return Infinity;
        const f = this.flags[this.top];
        if (this.pop()) return Infinity;
        this.prev = c === 125 ? ((f & BLOCK) !== 0 ? BLOCK_END : BRACE) : c !== 41 ? OPERAND : (f & HEAD_OF) !== 0 ? HEAD : (f & MAYBE_HEAD) !== 0 ? AMBIGUOUS : OPERAND;
        this.prevChar = c;
        this.lastWord = 0;
        i++;
        continue;
      }
      // `<` where an operand goes: JSX (not the second `<` of `<<`, nor after `x++`, nor after a contextual keyword used as a name)
      if (c === 60 && jsx && this.jsxMayStart(text, i)) return Infinity;
      i = this.punctuation(text, i, c);
      if (i === STOP) return Infinity;
    }
    if (this.top !== 0) return Infinity;
    if (this.chain[0] !== 0) this.check();
    const last = this.seg[0] + this.child[0] + SEGMENT_LEVELS;
    return last > this.best[0] ? last : this.best[0];
  }

  /** whether the `<` at `i` may open JSX: it stands where an operand goes */
  private jsxMayStart(text: string, i: number): boolean {
    const prev = this.prev;
    if (prev === OPERAND) return false;
    if (prev === CONTEXTUAL) return this.lastWord === ROLE_AWAIT || this.lastWord === ROLE_YIELD;
    // `x++ <`
    const p = this.prevChar;
    if (prev === PUNCT && (p === 43 || p === 45) && this.prevLen === 2) return false;
    return true;
  }

  /** a word from `i` to `j`: a name (a leaf), a keyword (a level); true when the bound passes the limit */
  private word(text: string, i: number, j: number): boolean {
    const c = text.charCodeAt(i);
    let w = WORD_NAME;
    let role = 0;
    let continuing = false;
    if (this.prev !== DOT && c >= 97 && c <= 122 && j - i <= 11) {
      const candidates = byHash.get(hashOf(text, i, j));
      if (candidates !== undefined) {
        for (let k = 0; k < candidates.length; k++) {
          const kw = candidates[k];
          if (kw.length === j - i && text.startsWith(kw, i)) {
            w = words.get(kw)!;
            continuing = CONTINUING.has(kw);
            role = wordRole.get(kw) ?? 0;
            break;
          }
        }
      }
    }
    const newlineBefore = this.newline;
    const first = this.begin(!continuing, role === ROLE_ELSE || role === ROLE_WHILE);
    const t = this.top;
    const f = this.flags[t];
    if ((f & BLOCK) !== 0) {
      if (first) this.flags[t] = role === ROLE_DECL ? f | DECL : role === ROLE_LET ? f | LET : f;
      else if ((f & LET) !== 0) this.flags[t] = (f & ~LET) | (w === WORD_NAME ? DECL : 0);
    }
    this.enumName = this.afterEnum && w === WORD_NAME;
    this.afterEnum = role === ROLE_ENUM;
    this.prev = w === WORD_RESERVED ? KEYWORD : w === WORD_CONTEXTUAL ? CONTEXTUAL : OPERAND;
    this.prevChar = 0;
    // `return\n{` is a block (the line break ends the statement)
    this.lastWord = role === ROLE_OBJECT && newlineBefore ? 0 : role;
    return (w === WORD_RESERVED || w === WORD_CONTEXTUAL) && this.count(1);
  }

  /** `(`, `[` or `{`: true when the bound passes the limit */
  private opening(c: number): boolean {
    this.begin(false, false);
    const t = this.top;
    const prev = this.prev;
    const p = this.prevChar;
    const lastWord = this.lastWord;
    let flags = 0;
    let kind: number;
    if (c === 40) {
      kind = PAREN;
      // call arguments and parameters are lists; a head or a parenthesized expression is not
      if (prev === OPERAND || (prev === KEYWORD && lastWord === ROLE_FUNCTION)) flags |= LIST;
      if (lastWord === ROLE_HEAD || lastWord === ROLE_WHILE) flags |= HEAD_OF;
      else if (lastWord === ROLE_AWAIT) flags |= MAYBE_HEAD;
    } else if (c === 91) {
      kind = BRACKET;
      // an array literal, a tuple or a pattern is a list; an index (`a[i, j]`) or a computed name (`{ [a, b]: 1 }`) is not
      if ((prev === PUNCT || prev === KEYWORD || prev === START) && p !== 123 && p !== 59 && !(p === 44 && this.kind[t] === BRACE_GROUP)) flags |= LIST;
    } else {
      kind = BRACE_GROUP;
      // an object or type literal (a list) after an operator, `(`, `[`, `,`, `return`; else a block, a class
      // body, an interface: after `)`, `=>`, a name, `;`, `{`, or a `:` in a block (`case 1: {`)
      const object =
        this.enumName ||
        (prev === KEYWORD && lastWord === ROLE_OBJECT) ||
        (prev === PUNCT && p !== 62 && p !== 123 && p !== 59 && p !== 0 && !(p === 58 && (this.flags[t] & BLOCK) !== 0));
      flags |= object ? LIST | MEMBERS : BLOCK;
    }
    // the node holding the brackets may be on a path that passes them by (`a.b(x).c(y)`: each call is a level)
    if (this.count(1)) return true;
    if (this.push(kind, flags)) return true;
    this.prevChar = c;
    this.enumName = false;
    this.afterEnum = false;
    this.lastWord = 0;
    return false;
  }

  /**
   * Other punctuation from `i`: an operator token (the longest, as TypeScript's scanner
   * takes them) is one level, `;` and `,` may end a segment. Returns the index after it,
   * or {@link STOP} when the bound passes the limit.
   */
  private punctuation(text: string, i: number, c: number): number {
    const t = this.top;
    const f = this.flags[t];
    this.lastWord = 0;
    if (c === 59 && (f & (BLOCK | MEMBERS)) !== 0) {
      this.begin(false, false);
      this.semi = true;
      this.prev = PUNCT;
      this.prevChar = c;
      return i + 1;
    }
    if (c === 44 && (f & (LIST | DECL)) !== 0) {
      this.begin(false, false);
      this.split(true);
      // in a `var` list the next declaration is still below the keyword's level
      if ((f & (LIST | DECL)) === DECL) {
        this.flags[t] = (this.flags[t] | DECL) & ~FRESH;
        this.seg[t] = 1;
        this.open += 1;
      }
      this.prev = PUNCT;
      this.prevChar = c;
      return i + 1;
    }
    this.begin(false, false);
    if ((f & LET) !== 0) this.flags[t] &= ~LET;
    const len = operatorLength(text, i, c);
    // `.` and `?.`: a name follows; `...` does not
    this.prev = text.charCodeAt(i + len - 1) === 46 && len < 3 ? DOT : PUNCT;
    this.prevChar = text.charCodeAt(i + len - 1);
    this.prevLen = len;
    return this.count(1) ? STOP : i + len;
  }
}

const STOP = -1;

/** the length of the operator token at `i` (the longest TypeScript's scanner reads; `>` always alone, as its scanner gives it) */
function operatorLength(text: string, i: number, c: number): number {
  const d = text.charCodeAt(i + 1);
  const e = text.charCodeAt(i + 2);
  switch (c) {
    case 61: // = == === =>
      return d === 61 ? (e === 61 ? 3 : 2) : d === 62 ? 2 : 1;
    case 33: // ! != !==
      return d === 61 ? (e === 61 ? 3 : 2) : 1;
    case 63: // ? ?? ??= ?. (not before a digit: `a ?.5 : b`)
      if (d === 46) return e >= 48 && e <= 57 ? 1 : 2;
      return d === 63 ? (e === 61 ? 3 : 2) : 1;
    case 38: // & && &&= &=
    case 124: // | || ||= |=
    case 42: // * ** **= *=
    case 60: // < << <<= <=
      if (d === c) return e === 61 ? 3 : 2;
      return d === 61 ? 2 : 1;
    case 43: // + ++ +=
    case 45: // - -- -=
      return d === c || d === 61 ? 2 : 1;
    case 37: // % %=
    case 94: // ^ ^=
      return d === 61 ? 2 : 1;
    case 46: // . ...
      return d === 46 && e === 46 ? 3 : 1;
  }
  return 1;
}

/** the index after a regular expression literal at `i` (its closing `/` outside a class), or {@link STOP} if the line ends first (a syntax error) */
function regexEnd(text: string, i: number): number {
  const n = text.length;
  let inClass = false;
  for (let j = i + 1; j < n; j++) {
    const e = text.charCodeAt(j);
    if (e === 10 || e === 13) return STOP;
    if (e === 92) {
      const f = text.charCodeAt(j + 1);
      if (f === 10 || f === 13) return STOP;
      j++;
    } else if (e === 91) inClass = true;
    else if (e === 93) inClass = false;
    else if (e === 47 && !inClass) return j + 1;
  }
  return STOP;
}

/** the index after a string literal at `i` quoted with `q` (a `\` before a line break goes on), or {@link STOP} if the line ends first (a syntax error) */
function stringEnd(text: string, i: number, q: number): number {
  const n = text.length;
  for (let j = i + 1; j < n; j++) {
    const e = text.charCodeAt(j);
    if (e === q) return j + 1;
    if (e === 10 || e === 13) return STOP;
    if (e === 92) {
      j++;
      if (text.charCodeAt(j) === 13 && text.charCodeAt(j + 1) === 10) j++;
    }
  }
  return STOP;
}
