import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/** The repository's own TypeScript compiler (consumers' projects compile with it, never install it). */
export const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * Builds the package into `workDir` and packs it there with `npm pack`, as a release would: the
 * same `tsconfig.build.json`, `package.json`, README and LICENSE, but compiled into a separate
 * folder, so this never races the repository's own `dist/` (other test files build that).
 * Returns the tarball's path and the files it holds.
 */
export function packTarball(workDir: string): { tarball: string; files: string[] } {
  const source = join(workDir, 'package-source');
  mkdirSync(source, { recursive: true });
  execFileSync(
    process.execPath,
    [TSC, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(source, 'dist')],
    { cwd: ROOT, stdio: 'pipe' },
  );
  for (const file of ['package.json', 'README.md', 'LICENSE'])
    copyFileSync(join(ROOT, file), join(source, file));
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', workDir], {
    cwd: source,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [packed] = JSON.parse(output) as { filename: string; files: { path: string }[] }[];
  if (packed === undefined) throw new Error(`npm pack printed no result: ${output}`);
  return { tarball: join(workDir, packed.filename), files: packed.files.map((file) => file.path) };
}
