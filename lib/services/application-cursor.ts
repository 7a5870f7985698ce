import { InvalidRequestError } from '../errors/oauth-error';
import { message } from '../messages/catalog';
import type { ApplicationCursor, ApplicationRecord } from '../storage/storage-adapter';

/**
 * The opaque cursor of `applications.list()` pages: the last application's `createdAt` and `id`
 * (base64url JSON), so the next page starts strictly after it (`listApplications`' contract).
 */
export function encodeCursor(application: ApplicationRecord): string {
  return Buffer.from(JSON.stringify([application.createdAt.getTime(), application.id])).toString('base64url');
}

/** The position a cursor names; a 400 `invalid_request` for anything that is not one of ours. */
export function decodeCursor(cursor: string): ApplicationCursor {
  let decoded: unknown;
  try {
    decoded = cursor.length <= 400 ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  } catch {
    decoded = null;
  }
  if (
    Array.isArray(decoded) &&
    decoded.length === 2 &&
    Number.isSafeInteger(decoded[0]) &&
    typeof decoded[1] === 'string' &&
    decoded[1] !== ''
  ) {
    return { createdAt: new Date(decoded[0] as number), id: decoded[1] };
  }
  throw new InvalidRequestError(message('problem.badCursor'));
}
