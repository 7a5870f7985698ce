import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { scaled } from '../support/time-scale';
import { declaredNames, ENTRY_POINTS, ESM_INTEROP_NAMES } from './public-api';

/**
 * The built package imports from both CommonJS and ESM consumers through its `exports` map, and
 * exports exactly the names `public-api.ts` lists. Node resolves a package's own name from inside
 * it, so these run against `dist/` exactly as a user's `node_modules/express-oauth-provider` would.
 */
const root = join(__dirname, '..', '..');

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();
}

/** The names a declaration file exports, values and types alike, as the compiler sees them. */
function declaredExports(file: string): string[] {
  const program = ts.createProgram([file], {
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  });
  const source = program.getSourceFile(file);
  const checker = program.getTypeChecker();
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error(`${file} is not a module`);
  return checker
    .getExportsOfModule(module)
    .map((symbol) => symbol.name)
    .sort();
}

describe('package exports', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe' });
  }, scaled(120_000));

  const entries = ENTRY_POINTS.map((entry) => [entry.specifier, entry] as const);

  it.each(entries)('require(%s) exports exactly the listed values (CommonJS)', (specifier, entry) => {
    const script = `process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(specifier)}))))`;
    expect(JSON.parse(node(['-e', script])).sort()).toEqual([...entry.values].sort());
  });

  it.each(entries)('import * from %s has exactly the listed values (ESM)', (specifier, entry) => {
    const script = `const ns = await import(${JSON.stringify(specifier)}); process.stdout.write(JSON.stringify(Object.keys(ns)));`;
    const names: string[] = JSON.parse(node(['--input-type=module', '-e', script]));
    expect(names.filter((name) => !ESM_INTEROP_NAMES.includes(name)).sort()).toEqual(
      [...entry.values].sort(),
    );
  });

  it.each(entries)(
    'the declarations of %s export exactly the listed values and types',
    (_specifier, entry) => {
      const file = join(root, 'dist', entry.declarations);
      expect(existsSync(file)).toBe(true);
      expect(declaredExports(file)).toEqual(declaredNames(entry));
    },
  );

  it('lists every entry point of package.json', () => {
    const manifest: { exports: Record<string, unknown> } = JSON.parse(
      readFileSync(join(root, 'package.json'), 'utf8'),
    );
    const subpaths = Object.keys(manifest.exports)
      .filter((path) => path !== './package.json')
      .map((path) => (path === '.' ? 'express-oauth-provider' : `express-oauth-provider/${path.slice(2)}`));
    expect(subpaths.sort()).toEqual(ENTRY_POINTS.map((entry) => entry.specifier).sort());
  });

  /**
   * Each optional peer dependency, the entry point that needs it, and whether importing that
   * entry point loads it (kysely is the SQL adapter's own import; pg and better-sqlite3 come from
   * the host's pool or database).
   */
  const OPTIONAL_PEERS = [
    ['mongoose', 'express-oauth-provider/adapters/mongo', 'true'],
    ['kysely', 'express-oauth-provider/adapters/sql', 'true'],
    ['pg', 'express-oauth-provider/adapters/sql', 'false'],
    ['better-sqlite3', 'express-oauth-provider/adapters/sql', 'false'],
    ['@node-oauth/oauth2-server', 'express-oauth-provider/oauth2-server', 'true'],
    // The model is all the subpath gives; the express middleware is the host's own import.
    ['@node-oauth/express-oauth-server', 'express-oauth-provider/oauth2-server', 'false'],
  ] as const;

  it.each(OPTIONAL_PEERS)(
    'does not load %s unless the entry point that needs it (%s) is imported',
    (dependency, entry, loadedByEntry) => {
      const loaded = (entries: string[]) =>
        node([
          '-e',
          `${entries.map((specifier) => `require(${JSON.stringify(specifier)});`).join('')}` +
            `process.stdout.write(String(Object.keys(require.cache).some((p) => p.includes(${JSON.stringify(`/node_modules/${dependency}/`)}))))`,
        ]);
      expect(loaded(['express-oauth-provider', 'express-oauth-provider/adapters/memory'])).toBe('false');
      expect(loaded([entry])).toBe(loadedByEntry);
    },
  );
});
