/**
 * What a test opened (hosts, servers, adapters) is closed in one place. Something opened during a
 * test (in the test, or its `beforeEach`) is closed after that test; something opened in a
 * `beforeAll`, after the file. The kit's modules register here; the hooks are added when this
 * module is first imported by a test file, so they run before the file's own `afterEach` and
 * `afterAll` hooks (which may still read what they hold: errors, events, counts).
 */
const afterTest = new Set<() => Promise<void>>();
const afterFile = new Set<() => Promise<void>>();

function releaseAll(set: Set<() => Promise<void>>): Promise<void> {
  const pending = [...set].reverse();
  return pending.reduce((chain, release) => chain.then(release), Promise.resolve());
}

/**
 * Runs `close` after the current test (or, outside a test, after the file) unless it was
 * released before; returns the release, which is safe to call twice.
 */
export function closeWhenDone(close: () => Promise<void>): () => Promise<void> {
  const set = expect.getState().currentTestName === undefined ? afterFile : afterTest;
  return track(set, close);
}

/** Runs `close` after the test file, whenever it was opened. */
export function closeAfterFile(close: () => Promise<void>): () => Promise<void> {
  return track(afterFile, close);
}

function track(set: Set<() => Promise<void>>, close: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  const release = () => {
    set.delete(release);
    done ??= close();
    return done;
  };
  set.add(release);
  return release;
}

if (typeof afterEach === 'function') afterEach(() => releaseAll(afterTest));
if (typeof afterAll === 'function') afterAll(() => releaseAll(afterFile));
