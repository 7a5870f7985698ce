import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { OPTION_NAMES } from '../../lib/options/schema';
import {
  defaultOf,
  PROVIDER_OPTIONS_PATH,
  README_PATH,
  renderOptionsTable,
  syncProviderOptionsSource,
  syncReadme,
} from '../../scripts/options-docs';

/**
 * The options are described once, in `lib/options/schema.ts`; the README table and the TSDoc of
 * `ProviderOptions` are written from it by `scripts/options-docs.ts`. These tests fail when either
 * was edited by hand or the schema changed without running the script.
 */
const FIX = 'run `npx tsx scripts/options-docs.ts` and commit the result';

/** The rows of the README's options table: [name, default]. */
function readmeRows(): [string, string][] {
  const readme = readFileSync(README_PATH, 'utf8');
  const section = readme.slice(readme.indexOf('## Options'), readme.indexOf('## Guards'));
  return section
    .split('\n')
    .filter((line) => /^\| `[^`]+` \|/.test(line))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).map((cell) => cell.trim());
      return [String(cells[1]).replace(/`/g, ''), String(cells[2]).replace(/\\\|/g, '|')];
    });
}

describe('README options table', () => {
  it('names every option of the schema, in its order, and nothing else', () => {
    expect(readmeRows().map(([name]) => name)).toEqual(OPTION_NAMES);
  });

  it('states each default as the schema has it', () => {
    expect(readmeRows()).toEqual(OPTION_NAMES.map((name) => [name, defaultOf(name)]));
  });

  it(`is exactly what the schema writes (${FIX})`, () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toContain(renderOptionsTable());
    expect(syncReadme(readme)).toBe(readme);
  });
});

describe('ProviderOptions TSDoc', () => {
  const source = readFileSync(PROVIDER_OPTIONS_PATH, 'utf8');

  it('documents every member (what an editor shows on hover)', () => {
    const file = ts.createSourceFile('provider-options.ts', source, ts.ScriptTarget.Latest, true);
    const declaration = file.statements.find(
      (statement): statement is ts.InterfaceDeclaration =>
        ts.isInterfaceDeclaration(statement) && statement.name.text === 'ProviderOptions',
    );
    const undocumented = (declaration?.members ?? [])
      .filter((member) => ts.getJSDocCommentsAndTags(member).length === 0)
      .map((member) => member.name?.getText(file));
    expect(declaration?.members.length).toBe(OPTION_NAMES.length);
    expect(undocumented).toEqual([]);
  });

  it(`is exactly what the schema writes (${FIX})`, () => {
    expect(syncProviderOptionsSource(source)).toBe(source);
  });
});
