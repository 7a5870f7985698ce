/**
 * Writes the documentation of every option from the options schema (`lib/options/schema.ts`):
 * the TSDoc of each `ProviderOptions` member and the README's options table.
 *
 *   npx tsx scripts/options-docs.ts          rewrite both files
 *   npx tsx scripts/options-docs.ts --check  exit 1 if either is out of date
 *
 * `test/unit/options-docs.test.ts` fails when they are out of date, so a change to the schema
 * that is not carried into the docs cannot be merged.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { OPTION_NAMES, type OptionName, SCHEMA } from '../lib/options/schema';

const ROOT = join(__dirname, '..');
export const README_PATH = join(ROOT, 'README.md');
export const PROVIDER_OPTIONS_PATH = join(ROOT, 'lib', 'options', 'provider-options.ts');
const TABLE_START =
  '<!-- options-table:start (written by scripts/options-docs.ts from lib/options/schema.ts) -->';
const TABLE_END = '<!-- options-table:end -->';

/** A default as TypeScript source: `'/oauth'`, `7200`, `['a', 'b']`. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  return String(value);
}

/** The default as documented: the static value in code spans, or the descriptor's own words. */
export function defaultOf(name: OptionName): string {
  const descriptor = SCHEMA[name];
  if (descriptor.default !== undefined) return `\`${formatValue(descriptor.default)}\``;
  return descriptor.defaultText ?? 'none';
}

/** The README's options table, one row per schema entry. */
export function renderOptionsTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = OPTION_NAMES.map(
    (name) => `| \`${name}\` | ${cell(defaultOf(name))} | ${cell(SCHEMA[name].doc)} |`,
  );
  return ['| option | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Words, with a code span that contains spaces kept as one (a wrapped span reads badly on hover). */
function words(text: string): string[] {
  const out: string[] = [];
  for (const word of text.split(/\s+/)) {
    const last = out[out.length - 1];
    const insideSpan = last !== undefined && (last.match(/`/g)?.length ?? 0) % 2 === 1;
    if (insideSpan) out[out.length - 1] = `${last} ${word}`;
    else out.push(word);
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words(text)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The TSDoc block of one member, indented for the interface body. */
export function renderMemberDoc(name: OptionName, indent = '  '): string {
  const descriptor = SCHEMA[name];
  const body = wrap(descriptor.doc.replace(/\*\//g, '*\\/'), 96);
  const isRequired = descriptor.default === undefined && descriptor.defaultText === 'required';
  const tag = isRequired ? [] : ['', `@defaultValue ${defaultOf(name)}`];
  return [
    `${indent}/**`,
    ...[...body, ...tag].map((line) => `${indent} *${line === '' ? '' : ` ${line}`}`),
    `${indent} */`,
  ].join('\n');
}

/** `provider-options.ts` with every `ProviderOptions` member's TSDoc written from the schema. */
export function syncProviderOptionsSource(source: string): string {
  const file = ts.createSourceFile('provider-options.ts', source, ts.ScriptTarget.Latest, true);
  const declaration = file.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === 'ProviderOptions',
  );
  if (declaration === undefined) throw new Error('provider-options.ts declares no ProviderOptions interface');
  let out = source;
  const members = [...declaration.members].reverse();
  for (const member of members) {
    const name = member.name?.getText(file);
    if (name === undefined || !(name in SCHEMA)) {
      throw new Error(`ProviderOptions.${name ?? '?'} has no descriptor in lib/options/schema.ts`);
    }
    const doc = renderMemberDoc(name as OptionName);
    out = `${out.slice(0, member.getFullStart())}\n${doc}\n  ${out.slice(member.getStart(file))}`;
  }
  return out;
}

/** The README with its options table (between the two markers) written from the schema. */
export function syncReadme(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end < start)
    throw new Error(`README.md lacks the markers ${TABLE_START} … ${TABLE_END}`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderOptionsTable()}\n${readme.slice(end)}`;
}

function main(): void {
  const checkOnly = process.argv.includes('--check');
  const targets: [string, (text: string) => string][] = [
    [README_PATH, syncReadme],
    [PROVIDER_OPTIONS_PATH, syncProviderOptionsSource],
  ];
  let stale = false;
  for (const [path, sync] of targets) {
    const current = readFileSync(path, 'utf8');
    const wanted = sync(current);
    if (wanted === current) continue;
    stale = true;
    if (checkOnly) console.error(`${path} is out of date: run npx tsx scripts/options-docs.ts`);
    else writeFileSync(path, wanted);
  }
  if (checkOnly && stale) process.exit(1);
}

if (require.main === module) main();
