import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { scaled } from '../support/time-scale';

/**
 * The built package imports from both CommonJS and ESM consumers through its `exports` map. Node
 * resolves a package's own name from inside it, so these run against `dist/` exactly as a user's
 * `node_modules/express-oauth-provider` would.
 */
const root = join(__dirname, '..', '..');

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();
}

describe('package exports', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe' });
  }, scaled(120_000));

  const entries = [
    ['express-oauth-provider', 'createProvider'],
    ['express-oauth-provider', 'requireScope'],
    ['express-oauth-provider/adapters/memory', 'MemoryAdapter'],
    ['express-oauth-provider/adapters/mongo', 'MongoAdapter'],
    ['express-oauth-provider/testing', 'runAdapterConformance'],
  ] as const;

  it.each(entries)('require(%s).%s is a function (CommonJS)', (specifier, name) => {
    expect(node(['-e', `process.stdout.write(typeof require(${JSON.stringify(specifier)}).${name})`])).toBe(
      'function',
    );
  });

  it.each(entries)('import { %s } works from ESM: %s', (specifier, name) => {
    const script = `import { ${name} } from ${JSON.stringify(specifier)}; process.stdout.write(typeof ${name});`;
    expect(node(['--input-type=module', '-e', script])).toBe('function');
  });

  it('ships type declarations for every entry point', () => {
    for (const file of [
      'lib/index.d.ts',
      'adapters/memory/index.d.ts',
      'adapters/mongo/index.d.ts',
      'lib/testing/index.d.ts',
    ]) {
      expect(existsSync(join(root, 'dist', file))).toBe(true);
    }
  });

  it('does not load mongoose unless the Mongo adapter is imported', () => {
    const script =
      "require('express-oauth-provider'); require('express-oauth-provider/adapters/memory');" +
      "process.stdout.write(String(Object.keys(require.cache).some((p) => p.includes('/node_modules/mongoose/'))))";
    expect(node(['-e', script])).toBe('false');
  });
});
