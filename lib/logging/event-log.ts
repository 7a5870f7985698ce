import type { EventObserver, ProviderEventName } from '../events/provider-events';
import type { Logger } from './logger';

/**
 * The events that say something failed or was attacked: logged at `warn`. Every other event is
 * routine and logged at `debug`.
 */
export const FAILURE_EVENTS: ReadonlySet<ProviderEventName> = new Set<ProviderEventName>([
  'code.reused',
  'refresh_token.reused',
  'authorization.pkce_failed',
  'authorization.redirect_mismatch',
  'registration.refused',
  'client.authentication_failed',
  'limit.exceeded',
]);

/** Writes every provider event to the logger: its name as the message, its payload (ids only) as fields. */
export function eventLogger(logger: Logger): EventObserver {
  return (name, event) => {
    const fields = { event: name, ...event };
    if (FAILURE_EVENTS.has(name)) logger.warn(fields, name);
    else logger.debug?.(fields, name);
  };
}
