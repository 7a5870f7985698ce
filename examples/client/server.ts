import { createExampleClient } from './app';

const port = Number(process.env.PORT ?? 4000);
const providerUrl = process.env.PROVIDER_URL ?? 'http://localhost:3000';
const clientId = process.env.CLIENT_ID;
if (!clientId) {
  console.error(
    'Set CLIENT_ID (and CLIENT_SECRET for a confidential app). Register the app at the provider first.',
  );
  process.exit(1);
}
const callbackUrl = process.env.CALLBACK_URL ?? `http://127.0.0.1:${port}/auth/provider/callback`;
createExampleClient({ providerUrl, clientId, clientSecret: process.env.CLIENT_SECRET, callbackUrl }).listen(
  port,
  () => {
    console.log(`Example client on http://127.0.0.1:${port} — sign in with the provider at ${providerUrl}`);
  },
);
