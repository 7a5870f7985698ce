/**
 * The form contract of the pages a host may replace: the field names and values the provider
 * reads back. A custom view posts exactly these; the built-in views use the same constants.
 *
 * - Consent (`views.consent`): a form with `method="post"` to `data.action`, carrying every
 *   entry of `data.fields` as a hidden input (the authorization request and the CSRF token,
 *   `csrf_token`) and a field `decision` of `approve` or `deny` — two submit buttons named
 *   `decision` do it without JavaScript.
 * - Device code (`views.deviceCode`): a form posting `data.fields` (the CSRF token) and
 *   `user_code` to `data.action`.
 * - Settings and admin pages: every `POST` form carries `csrf_token` (`frame.csrfToken`).
 *
 * @example
 * ```ts
 * const buttons = `<button name="${FORM_FIELDS.decision}" value="${DECISIONS.approve}">Allow</button>
 * <button name="${FORM_FIELDS.decision}" value="${DECISIONS.deny}">Cancel</button>`;
 * ```
 */
export const FORM_FIELDS = Object.freeze({
  /** The CSRF token every posted form carries (bound to the browser and the signed-in user). */
  csrfToken: 'csrf_token',
  /** The consent decision: one of {@link DECISIONS}. */
  decision: 'decision',
  /** The code the device shows, typed by the user (RFC 8628 §3.3). */
  userCode: 'user_code',
  /** Consent: how many pages of each resource list are shown ("show more" posts it back). */
  resourcePages: 'resource_pages',
} as const);

/**
 * The consent page's resource choice for a resource-scoped scope: a field named
 * `resources:<scope>` with the value `all` or `selected`, and, for `selected`, one checkbox per
 * chosen resource named `resource:<scope>:<n>` (any distinct `n`) whose value is the resource id.
 * A form without these fields keeps what the request asked for (all resources, unless its
 * `authorization_details` named some).
 */
export const RESOURCE_FIELDS = Object.freeze({
  choice: (scope: string): string => `resources:${scope}`,
  item: (scope: string, index: number): string => `resource:${scope}:${index}`,
  itemPrefix: (scope: string): string => `resource:${scope}:`,
  all: 'all',
  selected: 'selected',
} as const);

/** The values of the `decision` field; `more` re-shows the page with more resources listed. */
export const DECISIONS = Object.freeze({ approve: 'approve', deny: 'deny', more: 'more' } as const);
