import type { EndpointCall } from '../endpoints/endpoint-call';
import { AdminRequiredError } from '../errors/http-error';

/**
 * The admin router's own check, whatever the host put in front of it: the host's `isAdmin(req)`
 * must say `true` (anything else, `'yes'` included, is a no), else 403. It runs after the login
 * step, so it only ever sees a signed-in user.
 */
export async function requireAdmin(call: EndpointCall): Promise<void> {
  const isAdmin = call.provider.options.isAdmin;
  if (isAdmin === undefined || (await isAdmin(call.req)) !== true) throw new AdminRequiredError();
}
