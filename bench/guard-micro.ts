/**
 * Micro-benchmark of the guard alone (no HTTP): µs of CPU per `authenticate()` +
 * `requireScope()` pass with the memory adapter. Used to find per-request work in our code,
 * which the HTTP benchmark cannot separate from Express's own cost.
 */
import type { NextFunction, Request, Response } from 'express';
import { createProvider } from 'express-oauth-provider';
import { MemoryAdapter } from 'express-oauth-provider/adapters/memory';

async function main(): Promise<void> {
  const provider = createProvider({
    adapter: new MemoryAdapter({ purgeIntervalMs: 0 }),
    issuer: 'http://127.0.0.1',
    scopes: { repo: { description: 'r', includes: ['public_repo'] }, public_repo: { description: 'p' } },
    currentUser: () => null,
    loginUrl: '/login',
  });
  const { application } = await provider.applications.create(
    {
      name: 'm',
      homepageUrl: 'https://m.example',
      redirectUris: ['https://m.example/cb'],
      confidential: true,
      scopes: [],
    },
    null,
  );
  const token = (
    await provider.tokens.issueTokens(
      { applicationId: application.id, userId: 'u', grantId: null, familyId: null, scopes: ['repo'] },
      false,
    )
  ).accessToken;
  const guard = provider.requireScope('public_repo');
  const headers: Record<string, string> = {};
  const res = {
    set: (name: string, value: string) => {
      headers[name] = value;
      return res;
    },
  } as unknown as Response;
  const run = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = {
        headers: { authorization: `Bearer ${token}` },
        url: '/api/repos',
        method: 'GET',
      } as unknown as Request;
      const next: NextFunction = (error?: unknown) => (error ? reject(error) : resolve());
      guard(req, res, next);
    });
  for (let i = 0; i < 20_000; i++) await run();
  const iterations = 200_000;
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await run();
  const elapsed = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  const used = process.cpuUsage(cpu);
  console.log(
    `guard: ${elapsed.toFixed(2)} µs wall, ${((used.user + used.system) / iterations).toFixed(2)} µs CPU per request`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
