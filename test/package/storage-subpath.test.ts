import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { scaled } from '../support/time-scale';
import { ROOT, TSC } from './tarball';

/**
 * `express-oauth-provider/storage` is the storage contract alone, for adapter authors: a project
 * that imports only it type-checks (strict, library checks on) with no Express types installed.
 * The package is laid out as installed (its `package.json` with the `exports` map, and the
 * subpath's declarations as the build emits them), compiled from `lib/storage/index.ts` alone:
 * if the contract ever imported Express's types, its declarations would too, and this would fail.
 * (`npm-pack.slow.test.ts` installs the whole tarball.)
 */
let work: string;
let project: string;

const STRICT = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  noEmit: true,
  target: 'ES2022',
  lib: ['ES2022'],
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  types: [],
};

const STORAGE_ONLY = `import type {
  ApplicationRecord,
  ConsumeResult,
  StorageAdapter,
  TokenFilter,
  TokenRecord,
} from 'express-oauth-provider/storage';

/** The start of an adapter: two methods, typed by the contract alone. */
export const tokens = new Map<string, TokenRecord>();
export const partial: Pick<StorageAdapter, 'findTokenByHash' | 'consumeToken'> = {
  async findTokenByHash(hash: string): Promise<TokenRecord | null> {
    return tokens.get(hash) ?? null;
  },
  async consumeToken(kind, hash, at): Promise<ConsumeResult | null> {
    const record = tokens.get(hash);
    if (record === undefined || record.kind !== kind || record.consumedAt !== null) return null;
    record.consumedAt = at;
    return { outcome: 'consumed', record };
  },
};
export const byUser: TokenFilter = { userId: 'u1', kind: 'personal' };
export const owner = (application: ApplicationRecord): string | null => application.ownerId;
`;

function typecheck(file: string): { ok: boolean; output: string } {
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: STRICT, files: [file] }));
  try {
    execFileSync(process.execPath, [TSC, '-p', project], { cwd: project, encoding: 'utf8', stdio: 'pipe' });
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout ?? ''}${stderr ?? ''}` };
  }
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'eop-storage-'));
  project = join(work, 'adapter-project');
  const installed = join(project, 'node_modules', 'express-oauth-provider');
  mkdirSync(installed, { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(installed, 'package.json'));
  execFileSync(
    process.execPath,
    [
      TSC,
      join(ROOT, 'lib', 'storage', 'index.ts'),
      ...[
        '--ignoreConfig',
        '--declaration',
        '--emitDeclarationOnly',
        '--strict',
        '--skipLibCheck',
        '--types',
        'node',
      ],
      ...['--target', 'ES2022', '--module', 'commonjs', '--moduleResolution', 'bundler'],
      ...['--outDir', join(installed, 'dist', 'lib', 'storage')],
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'my-adapter', type: 'module', private: true }),
  );
  writeFileSync(join(project, 'storage-only.ts'), STORAGE_ONLY);
  writeFileSync(join(project, 'express-import.ts'), "export type { Request } from 'express';\n");
}, scaled(120_000));

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('express-oauth-provider/storage', () => {
  it('finds no Express types anywhere above the project', () => {
    for (let dir = project; dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules', '@types', 'express'))).toBe(false);
      expect(existsSync(join(dir, 'node_modules', 'express'))).toBe(false);
    }
  });

  it(
    'type-checks a strict project that imports only the storage contract',
    () => {
      expect(typecheck('storage-only.ts')).toEqual({ ok: true, output: '' });
    },
    scaled(60_000),
  );

  it(
    'while the same project cannot see Express types (so the check above could fail)',
    () => {
      const result = typecheck('express-import.ts');
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/Cannot find module 'express'/);
    },
    scaled(60_000),
  );
});
