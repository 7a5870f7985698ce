/**
 * Serving an app on a free 127.0.0.1 port, for the suites that need real sockets (a client
 * library that calls the token endpoint itself, a browser, other processes).
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { closeWhenDone } from './cleanup';

export interface Listening {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Closes the server and every connection it still has; safe to call twice, and done by itself after the test (or file). */
  close(): Promise<void>;
}

/** Listens on a free loopback port; `handler` may be given later with {@link serve}. */
export async function listen(handler?: RequestListener): Promise<Listening> {
  const { server, port, close } = await listenOnLoopback(createServer(handler));
  return { server, url: `http://127.0.0.1:${port}`, close };
}

/**
 * Starts an HTTP or HTTPS server on a free 127.0.0.1 port; it is closed, with every connection
 * it still has, after the test (or file), or by `close` (safe to call twice).
 */
export async function listenOnLoopback<S extends Server | HttpsServer>(
  server: S,
): Promise<{ server: S; port: number; close(): Promise<void> }> {
  // Never close an idle keep-alive connection from the server side: a client reusing it at that
  // moment gets ECONNRESET, a race that a loaded machine's late timers make likely. The client
  // closes idle sockets itself, and `close` ends every connection.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const close = closeWhenDone(
    () =>
      new Promise<void>((done) => {
        if (!server.listening) return done();
        server.closeAllConnections();
        server.close(() => done());
      }),
  );
  return { server, port, close };
}

/**
 * Listens first, then builds the app with its own URL and serves it: the example provider needs
 * its issuer (its public URL) before it can be created.
 */
export async function serve(makeApp: (url: string) => RequestListener): Promise<Listening> {
  const listening = await listen();
  listening.server.on('request', makeApp(listening.url));
  return listening;
}
