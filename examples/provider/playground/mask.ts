import { escapeText, type Html, trusted } from './views/html';

const BULLETS = '••••••••';

/**
 * The kind prefix of one of the provider's tokens (`eoa_` in `eoa_` + 38 base62 characters), and
 * of nothing else: a PKCE verifier is random base64url and may well start `abc_`, which is secret.
 */
const TOKEN_PREFIX = /^([a-z]{1,9}_)[0-9A-Za-z]{38}$/;

/**
 * A masked secret keeps what helps a reader tell secrets apart without giving one away: a
 * token's kind prefix (`eoa_` access, `eor_` refresh, …) and the last four characters, so a
 * rotated refresh token visibly differs from the one it replaced.
 */
export function maskSecret(secret: string): string {
  const prefix = TOKEN_PREFIX.exec(secret)?.[1] ?? '';
  return secret.length - prefix.length >= 16
    ? `${prefix}${BULLETS}${secret.slice(-4)}`
    : `${prefix}${BULLETS}`;
}

/** How secrets appear on this page: masked (the default) or in full, as the user chose. */
export interface Masking {
  reveal: boolean;
  secrets: readonly string[];
}

/**
 * A header as HTML, its secrets masked unless revealed. `Authorization: Basic` is masked as a
 * whole: it carries `client_id:client_secret` in Base64, which no secret-by-value replacement
 * would recognise.
 */
export function maskedHeaderHtml(name: string, value: string, masking: Masking): Html {
  if (name.toLowerCase() !== 'authorization') return maskedHtml(value, masking);
  const [scheme = '', credentials = ''] = value.split(' ', 2);
  if (scheme.toLowerCase() === 'basic' && !masking.reveal) {
    return trusted(`Basic <span class="secret masked">${BULLETS}</span> (client_id:client_secret, Base64)`);
  }
  // A bearer token is masked like every other secret, also one the page did not know of.
  return maskedHtml(value, { ...masking, secrets: [...masking.secrets, credentials] });
}

/**
 * Escapes `text` for HTML and marks every known secret in it: masked unless revealed, and
 * wrapped in `<span class="secret">` either way so the page styles (and copy buttons find) them.
 * Secrets are base62/base64url, so escaping never changes them and they match in the escaped text.
 */
export function maskedHtml(text: string, masking: Masking): Html {
  // NUL marks the secrets while they are replaced; a NUL in the text itself is never shown anyway.
  let out = escapeText(text.replaceAll('\u0000', ''));
  // Longest first, so a secret that contains another is replaced whole; short strings are no secrets.
  const secrets = [...new Set(masking.secrets)]
    .filter((s) => s.length >= 8)
    .sort((a, b) => b.length - a.length);
  const marks = new Map<string, string>();
  secrets.forEach((secret, i) => {
    if (!out.includes(secret)) return;
    const mark = `\u0000${i}\u0000`;
    marks.set(mark, masking.reveal ? secret : maskSecret(secret));
    out = out.split(secret).join(mark);
  });
  for (const [mark, shown] of marks) {
    const cls = masking.reveal ? 'secret revealed' : 'secret masked';
    out = out.split(mark).join(`<span class="${cls}">${escapeText(shown)}</span>`);
  }
  return trusted(out);
}
