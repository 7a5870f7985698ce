/**
 * Bidirectional-override and isolate characters (U+202A–202E, U+2066–2069) and the invisible
 * marks (U+200E, U+200F, U+061C): they let a name display in another order than it is stored
 * ("evil" shown as "live", a fake "(verified)" suffix).
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Text a registrant chose (an application's or a user's name), with bidi controls removed. */
export function withoutBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}
