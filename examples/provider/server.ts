import pino from 'pino';
import type { StorageAdapter } from '../../lib';
import {
  createExampleProvider,
  DEFAULT_FIRST_PARTY_SECRET,
  FIRST_PARTY_CLIENT_ID,
  FIRST_PARTY_REDIRECT_URI,
} from './app';

/**
 * Picks storage: the SQL adapter when DATABASE_URL is set (`postgres://…` or `sqlite:<path>`),
 * MongoDB when MONGODB_URI is set, memory otherwise.
 */
async function chooseAdapter(): Promise<{ adapter?: StorageAdapter; label: string }> {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    const { connectSqlAdapter } = await import('./sql');
    const { adapter, label } = await connectSqlAdapter(databaseUrl);
    return { adapter, label };
  }
  const uri = process.env.MONGODB_URI;
  if (!uri) return { label: 'memory adapter (data is lost on restart)' };
  const { connectMongoAdapter } = await import('./mongo');
  return {
    adapter: await connectMongoAdapter(uri),
    label: `MongoDB at ${uri.replace(/\/\/[^@/]*@/, '//***@')}`,
  };
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const issuer = process.env.ISSUER ?? `http://localhost:${port}`;
  const { adapter, label } = await chooseAdapter();
  const firstPartySecret = process.env.FIRST_PARTY_CLIENT_SECRET || DEFAULT_FIRST_PARTY_SECRET;
  const { app, provider } = createExampleProvider({
    adapter,
    issuer,
    sessionSecret: process.env.SESSION_SECRET,
    csrfSecret: process.env.CSRF_SECRET,
    firstPartyClientSecret: firstPartySecret,
    // The provider's log (errors, replays, PKCE failures, redirect mismatches) as pino JSON lines.
    logger: pino({ name: 'express-oauth-provider', level: process.env.LOG_LEVEL ?? 'info' }),
  });
  // The configured first-party app is stored before the first request.
  await provider.ready;
  const server = app.listen(port, () => {
    console.log(`Example OAuth provider on ${issuer} (${label})`);
    console.log(`Log in at ${issuer}/login as alice / alice-pass (or bob / bob-pass)`);
    console.log(`Watch every step of the OAuth flows: ${issuer}/playground`);
    console.log(`Administration (alice only): ${issuer}/admin · Deutsch: ${issuer}/language?lang=de`);
    console.log(
      `First-party app (no consent page): client_id ${FIRST_PARTY_CLIENT_ID}, secret ${firstPartySecret}, redirect URI ${FIRST_PARTY_REDIRECT_URI}`,
    );
    console.log(
      `Register an application: POST ${issuer}/settings/api/applications (logged in), or ${issuer}/settings/applications`,
    );
  });
  // Idle keep-alive connections outlive a reverse proxy's (commonly 60 s), so the proxy, not this
  // server, closes them: a server closing first races the proxy's next request (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
