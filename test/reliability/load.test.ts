/**
 * Issue 6 "Performance and reliability": a mixed workload on each adapter (mixed-workload.ts). A
 * bounded number of virtual users, in this process, drive a provider listening on 127.0.0.1 for
 * a fixed number of steps each (more on the memory adapter, whose steps are cheap): no answer is
 * a 5xx or a network failure; every answer is the one the user's own history predicts; and no
 * token is ever accepted by a request sent after its revocation (or rotation) completed.
 * Throughput figures are printed for the report, never asserted.
 */
import { ADAPTERS } from '../support/adapters';
import { announceSeed, randomFor } from '../support/random';
import { createTestHost, type TestHost } from '../support/test-host';
import { scaled } from '../support/time-scale';
import { requestCounter } from '../support/user-agent';
import { Ledger, VirtualUser } from './mixed-workload';

const VIRTUAL_USERS = 8;
const USERS_PER_VIRTUAL_USER = 3;
/** Steps per virtual user, by adapter; FerretDB's steps take longest (it reads whole tables). */
const STEPS: Record<string, number> = { memory: 400, postgres: 200, sqlite: 200 };
const DATABASE_STEPS = 50;

announceSeed('load');

describe.each(Object.values(ADAPTERS))('$name adapter: a mixed workload', (factory) => {
  const steps = STEPS[factory.name] ?? DATABASE_STEPS;
  const ledger = new Ledger();
  let host: TestHost;

  beforeAll(async () => {
    host = await createTestHost({ adapter: factory, listen: true, refreshTokenReuseGraceSeconds: 0 });
    const clients = [
      await host.registerApp({ confidential: true, name: 'Load confidential' }),
      await host.registerApp({ confidential: false, name: 'Load public' }),
    ];
    const url = host.url ?? '';
    const users = Array.from(
      { length: VIRTUAL_USERS },
      (_, index) =>
        new VirtualUser(
          index,
          url,
          clients,
          ledger,
          randomFor(`load ${factory.name}`, index),
          USERS_PER_VIRTUAL_USER,
        ),
    );
    const sentBefore = requestCounter.total;
    const started = performance.now();
    await Promise.all(users.map((user) => user.run(steps)));
    const seconds = (performance.now() - started) / 1000;
    const sent = requestCounter.total - sentBefore;
    const byAction = Object.entries(ledger.actions)
      .sort(([, a], [, b]) => b - a)
      .map(([action, count]) => `${action} ${count}`)
      .join(', ');
    process.stdout.write(
      `\n[load ${factory.name}] ${VIRTUAL_USERS} virtual users × ${steps} steps: ${sent} requests in ` +
        `${seconds.toFixed(1)} s (${Math.round(sent / seconds)} req/s); statuses ${JSON.stringify(ledger.statuses)}; ` +
        `p50 ${ledger.percentile(50).toFixed(1)} ms, p99 ${ledger.percentile(99).toFixed(1)} ms; ` +
        `${ledger.deadSince.size} tokens revoked or rotated, ${ledger.probesOfDeadTokens} probes of dead tokens\n  ${byAction}\n`,
    );
  }, scaled(240_000));

  it('no answer is a 5xx, and the provider met no unexpected error', () => {
    expect(ledger.serverErrors).toEqual([]);
    expect(Object.keys(ledger.statuses).filter((status) => Number(status) >= 500)).toEqual([]);
    expect(host.errors).toEqual([]);
  });

  it("every answer is the one the user's own history predicts (and no virtual user failed)", () => {
    expect(ledger.failures).toEqual([]);
  });

  it('no token is accepted by a request sent after its revocation or rotation completed', () => {
    expect(ledger.violations).toEqual([]);
    expect(ledger.probesOfDeadTokens).toBeGreaterThan(0);
  });

  it('the workload did all of its kinds of work', () => {
    for (const action of [
      'authorize (consent shown)',
      'authorize (consent skipped)',
      'exchange',
      'refresh',
      'GET /api/user',
      'GET /api/repos',
      'revoke access token',
      'revoke refresh token',
    ]) {
      expect({ action, done: (ledger.actions[action] ?? 0) > 0 }).toEqual({ action, done: true });
    }
  });
});
