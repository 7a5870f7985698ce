/**
 * What a test file opened (hosts, servers, adapters) is closed after the file, in one place: the
 * kit's modules register here, and one `afterAll` (added when this module is first imported by a
 * test file) closes whatever is still open, newest first.
 */
const open = new Set<() => Promise<void>>();

/** Runs `close` after the test file unless it was released before; returns the release. */
export function closeAfterFile(close: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  const release = () => {
    open.delete(release);
    done ??= close();
    return done;
  };
  open.add(release);
  return release;
}

if (typeof afterAll === 'function') {
  afterAll(async () => {
    const pending = [...open].reverse();
    for (const release of pending) await release();
  });
}
