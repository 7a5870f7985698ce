import type { Request } from 'express';
import type { ResourceOwner } from '../options/provider-options';
import type { ResolvedOptions } from '../options/resolve-options';

/** The host's logged-in user of this request, checked once for every page and API that needs one. */
export async function currentUser(req: Request, options: ResolvedOptions): Promise<ResourceOwner | null> {
  const user = await options.currentUser(req);
  if (user === null || user === undefined) return null;
  if (typeof user.id !== 'string' || user.id === '') {
    throw new TypeError('currentUser() must return { id: string } or null');
  }
  return user;
}

/** The host's login page, told where to come back to (`?return_to=…` by default). */
export function loginRedirectUrl(options: ResolvedOptions, returnTo: string): string {
  const separator = options.loginUrl.includes('?') ? '&' : '?';
  return `${options.loginUrl}${separator}${options.returnToParameter}=${encodeURIComponent(returnTo)}`;
}
