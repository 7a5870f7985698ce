/**
 * The example provider (`examples/provider`, what `npm start` runs) on the adapter under test:
 * its own passport-local login, its settings pages and JSON API. In this process, or listening
 * on a loopback port with its issuer set to its own URL. Closed after the test that made it (after
 * the file, if made in `beforeAll`).
 */
import type { Express } from 'express';
import { createExampleProvider } from '../../examples/provider/app';
import type { Provider } from '../../lib';
import type { StorageAdapter } from '../../lib/storage/storage-adapter';
import { type AdapterFactory, adapterUnderTest } from './adapters';
import { closeWhenDone } from './cleanup';
import { serve } from './listen';
import { UserAgent } from './user-agent';

export interface ExampleHostOptions {
  /** Default: the adapter under test. */
  adapter?: AdapterFactory;
  /** Wraps the adapter the example provider gets (an outage trap). */
  wrapAdapter?: (adapter: StorageAdapter) => StorageAdapter;
  /** Listen on a loopback port; the issuer is then its URL. */
  listen?: boolean;
  /** Without `listen`; default `http://localhost:3000`. */
  issuer?: string;
  sessionSecret?: string;
  csrfSecret?: string;
}

export interface ExampleHost {
  app: Express;
  provider: Provider;
  adapter: StorageAdapter;
  issuer: string;
  /** The loopback URL with `listen: true`, else `null`. */
  url: string | null;
  /** A new browser at this host, nobody logged in (log in with `flows.login`). */
  browser(): UserAgent;
  close(): Promise<void>;
}

export async function createExampleHost(options: ExampleHostOptions = {}): Promise<ExampleHost> {
  const { adapter: factory = adapterUnderTest(), wrapAdapter, listen = false, ...rest } = options;
  const setup = await factory.create();
  const adapter = wrapAdapter ? wrapAdapter(setup.adapter) : setup.adapter;
  const make = (issuer: string) => createExampleProvider({ ...rest, adapter, issuer });
  let example: ReturnType<typeof createExampleProvider> | null = null;
  const listening = listen
    ? await serve((url) => {
        example = make(url);
        return example.app;
      })
    : null;
  const issuer = listening?.url ?? options.issuer ?? 'http://localhost:3000';
  const made = example ?? make(issuer);
  const close = closeWhenDone(async () => {
    await listening?.close();
    await made.provider.close();
    await setup.cleanup();
  });
  // As `npm start` does: the configured first-party app is stored before the first request.
  await made.provider.ready;
  return {
    app: made.app,
    provider: made.provider,
    adapter: setup.adapter,
    issuer,
    url: listening?.url ?? null,
    browser: () => new UserAgent(listening?.url ?? made.app, null),
    close,
  };
}
