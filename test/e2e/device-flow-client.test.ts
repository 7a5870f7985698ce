/**
 * RFC 8628 end to end over real sockets: the example provider listens on a port; a separate device
 * process (`test/support/device-poller.ts`) finds the device endpoint in the RFC 8414 metadata,
 * asks for a device code (§3.1), prints the user code and polls (§3.4) honouring `interval` and
 * `slow_down` (§3.5); meanwhile this test, as alice in a browser of her own, logs in at the
 * verification URI, types the code and approves (§3.3). The device then calls /api/user.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { createExampleHost } from '../support/example-host';
import { login, registerViaApi } from '../support/flows';
import { hiddenFields } from '../support/html';
import { scaled } from '../support/time-scale';

const REPO_ROOT = resolvePath(__dirname, '../..');

/** A device process and the JSON lines it printed so far. */
interface Device {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  /** Resolves with the first printed line that has `key`. */
  waitFor(key: string, timeoutMs: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stderr(): string;
}

function startDevice(providerUrl: string, clientId: string, scope: string): Device {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/device-poller.ts', providerUrl, clientId, scope],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  let pending = '';
  let errors = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const text = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.key in line)) waiter.resolve(line);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    stderr: () => errors,
    waitFor(key, timeoutMs) {
      const found = lines.find((line) => key in line);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`device printed no "${key}" in ${timeoutMs} ms: ${errors}`)),
          timeoutMs,
        );
        waiters.push({
          key,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

describe('end to end: a device polls while the user approves in a browser (RFC 8628)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill();
  });

  it(
    'the device gets tokens for alice and reads /api/user',
    async () => {
      const started = Date.now();
      const provider = await createExampleHost({ listen: true });
      const providerUrl = provider.issuer;

      // A CLI registers as a public client (no secret: it runs on the user's machine).
      const owner = provider.browser();
      await login(owner);
      const { clientId } = await registerViaApi(owner, {
        name: 'Terminal CLI',
        confidential: false,
        redirectUris: ['http://127.0.0.1/callback'],
      });

      // 1. The device asks for a code and shows it.
      const device = startDevice(providerUrl, clientId, 'user repo');
      children.push(device.child);
      const shown = await device.waitFor('user_code', scaled(15_000));
      expect(shown.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      expect(shown.verification_uri).toBe(`${providerUrl}/oauth/device`);
      expect(shown.interval).toBe(5);

      // 2. Alice opens the verification URI in her browser: not logged in, so the login page first.
      const browser = provider.browser();
      const visit = await browser.follow(String(shown.verification_uri));
      const loginPage = visit[visit.length - 1];
      expect(loginPage?.url).toMatch(/\/login\?return_to=/);
      const returnTo = new URL(loginPage?.url ?? '').searchParams.get('return_to') ?? '';
      expect(returnTo).toBe('/oauth/device');
      const afterLogin = await browser.follow(`${providerUrl}/login`, {
        form: { username: 'alice', password: 'alice-pass', return_to: returnTo },
      });
      const codeForm = afterLogin[afterLogin.length - 1];
      expect(codeForm?.url).toBe(`${providerUrl}/oauth/device`);
      expect(codeForm?.text).toContain('name="user_code"');

      // 3. She types the code the way people do (lowercase, no hyphen), sees the consent page, approves.
      const typed = String(shown.user_code).toLowerCase().replace('-', '');
      const consent = await browser.send(`${providerUrl}/oauth/device`, {
        form: { ...hiddenFields(codeForm?.text ?? ''), user_code: typed },
      });
      expect(consent.status).toBe(200);
      expect(consent.text).toContain('Terminal CLI');
      expect(consent.text).toContain('Full control of your repositories');
      const done = await browser.send(`${providerUrl}/oauth/device`, {
        form: { ...hiddenFields(consent.text), decision: 'approve' },
      });
      expect(done.status).toBe(200);
      expect(done.text).toContain('Device connected');

      // 4. The device's next poll gets tokens; it calls the API as alice.
      const result = await device.waitFor('user', scaled(20_000));
      const exitCode = await device.exited;
      if (exitCode !== 0) throw new Error(`device exited ${exitCode}: ${device.stderr()}`);
      expect(result.status).toBe(200);
      expect(result.user).toEqual({ id: '1', login: 'alice' });
      expect(result.scope).toBe('user repo');
      // Every unsuccessful poll was a patient one: pending, never slow_down at the advertised interval.
      for (const line of device.lines.filter((l) => 'poll' in l))
        expect(line.poll).toBe('authorization_pending');
      // One or two 5-second intervals, not a stall (limits scale with the machine).
      expect(Date.now() - started).toBeLessThan(scaled(30_000));
    },
    scaled(40_000),
  );
});
