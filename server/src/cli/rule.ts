/**
 * `crossproc rule ID` / `crossproc rule --all`: a rule's documentation in the terminal, like
 * `ruff rule`. The text is the rule's `rules/<id>.md`, shipped in the package next to `dist/`
 * (package.json `files`), rendered as plain text that reads well without colour: headings
 * underlined, code blocks indented, links written out.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { RULE_IDS, isRuleId, type RuleId } from '../engine/findings';
import { RULES } from '../shared/ruleInfo';
import { UsageError } from './args';

export const RULE_HELP = `Usage: crossproc rule ID [--format text|json]
       crossproc rule --all [--format text|json]

Prints a rule's documentation: what it does, why it matters, examples, fix safety.
With --format json, an array of {id, defaultSeverity, description, doc} (doc is Markdown).

Rules: ${RULE_IDS.join(', ')}`;

export interface RuleCommand {
  rules: RuleId[];
  format: 'text' | 'json';
  color: boolean | undefined;
  help: boolean;
}

export function parseRuleArgs(argv: readonly string[]): RuleCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        all: { type: 'boolean' },
        format: { type: 'string', short: 'f' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    throw new UsageError(`${message.replace(/\.$/, '')}. Run 'crossproc rule --help' for usage.`);
  }
  const { values, positionals, tokens } = parsed;
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`invalid value '${format}' for --format: use one of text, json.`);
  const colorFlag = [...(tokens ?? [])].reverse().find((t) => t.kind === 'option' && (t.name === 'color' || t.name === 'no-color'));
  const color = colorFlag?.kind === 'option' ? colorFlag.name === 'color' : undefined;
  if (values.help) return { rules: [], format, color, help: true };
  if (values.all) {
    if (positionals.length > 0) throw new UsageError(`give either --all or rule ids, not both.`);
    return { rules: [...RULE_IDS], format, color, help: false };
  }
  if (positionals.length === 0) throw new UsageError(`name a rule (one of ${RULE_IDS.join(', ')}) or give --all.`);
  const rules: RuleId[] = [];
  for (const id of positionals) {
    if (!isRuleId(id)) throw new UsageError(`unknown rule '${id}': use one of ${RULE_IDS.join(', ')}.`);
    rules.push(id);
  }
  return { rules, format, color, help: false };
}

/** Reads a rule's shipped Markdown documentation. */
export async function readRuleDoc(packageRoot: string, id: RuleId): Promise<string> {
  const file = path.join(packageRoot, 'rules', `${id}.md`);
  try {
    return (await fs.readFile(file, 'utf8')).replace(/\r\n/g, '\n');
  } catch {
    throw new UsageError(`the documentation of '${id}' is missing (${file}); the installation is incomplete.`);
  }
}

const bold = (s: string, color: boolean) => (color ? `\u001b[1m${s}\u001b[22m` : s);
const dim = (s: string, color: boolean) => (color ? `\u001b[2m${s}\u001b[22m` : s);

/** Inline Markdown as plain text: `**x**` → x (bold on a terminal), `[t](url)` → t (url). */
function inline(line: string, color: boolean): string {
  // links inside code spans stay as they are: `handlers[msg.type](msg)` is code, not a link
  return line
    .replace(/\*\*([^*]+)\*\*/g, (_, s: string) => bold(s, color))
    .split(/(`+[^`]*`+)/)
    .map((part, i) =>
      i % 2 === 1 ? part : part.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, text: string, url: string) => (/^[a-z]+:/i.test(url) ? `${text} <${url}>` : text)),
    )
    .join('');
}

/**
 * Markdown → terminal text. Only what the rule docs use: ATX headings, fenced code blocks
 * (indented 4, the fence's info string shown as a caption), bold, links; the rest passes
 * through unchanged (lists, tables and inline code read well as they are).
 */
export function renderRuleDoc(markdown: string, color: boolean): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.replace(/\s+$/, '').split('\n')) {
    const fenceMatch = /^(\s*)(```+|~~~+)\s*(.*)$/.exec(line);
    if (fence !== undefined) {
      if (fenceMatch && fenceMatch[2]!.startsWith(fence) && fenceMatch[3] === '') {
        fence = undefined;
        continue;
      }
      out.push(line === '' ? '' : `    ${line}`);
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[2]!;
      // "python bad" → "(python, bad)": which example is the faulty one matters without colour
      const info = fenceMatch[3]!.trim().split(/\s+/).filter(Boolean);
      if (info.length > 0) out.push(dim(`    (${info.join(', ')})`, color));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const text = inline(heading[2]!, false);
      out.push(bold(text, color));
      if (heading[1]!.length <= 2) out.push((heading[1]!.length === 1 ? '=' : '-').repeat(text.length));
      continue;
    }
    out.push(inline(line, color));
  }
  return `${out.join('\n')}\n`;
}

/** The output of `crossproc rule ...`. */
export async function runRuleCommand(command: RuleCommand, packageRoot: string, color: boolean): Promise<string> {
  if (command.help) return `${RULE_HELP}\n`;
  const docs = await Promise.all(command.rules.map(async (id) => ({ id, doc: await readRuleDoc(packageRoot, id) })));
  if (command.format === 'json') {
    const info = new Map(RULES.map((r) => [r.id, r] as const));
    return `${JSON.stringify(
      docs.map(({ id, doc }) => ({ id, defaultSeverity: info.get(id)!.defaultSeverity, description: info.get(id)!.description, doc })),
      null,
      2,
    )}\n`;
  }
  return docs.map(({ doc }) => renderRuleDoc(doc, color)).join('\n\n');
}
