/**
 * A TCP port that was free on 127.0.0.1 a moment ago, for a server started in another process.
 *
 * It is taken below the kernel's ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`),
 * never from it. A database server the outage suites kill and restart on the same port leaves
 * that port free for a few seconds; had it come from `listen(0)`, any of the thousands of
 * `listen(0)` servers and outgoing connections of the other test workers could be given it
 * meanwhile, the restarted server would fail to bind, and the provider would talk to a stranger
 * (seen once in a full run under load: "the provider recovers: not within 45000 ms"). The kernel
 * hands out no port below the range, so only another explicit bind can take one.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const FALLBACK_EPHEMERAL_LOW = 32768;
/** Ports from here up to the ephemeral range's start are ours to pick from. */
const LOWEST = 20000;
const ATTEMPTS = 50;

function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOWEST + 1000 ? low : FALLBACK_EPHEMERAL_LOW;
  } catch {
    return FALLBACK_EPHEMERAL_LOW;
  }
}

function tryListen(port: number): Promise<number | null> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address !== null && typeof address !== 'string' ? address.port : null));
    });
  });
}

export async function freePort(): Promise<number> {
  const high = ephemeralLow();
  // Not test data, so not the seeded generator: which free port a server gets changes nothing.
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const candidate = LOWEST + Math.floor(Math.random() * (high - LOWEST));
    const port = await tryListen(candidate);
    if (port !== null) return port;
  }
  const port = await tryListen(0);
  if (port === null) throw new Error('no free port');
  return port;
}
