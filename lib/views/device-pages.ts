import { html } from './html';
import { documentPage } from './layout';

/** The form where a user types the code their device shows. */
export function renderDeviceCodeForm(action: string, csrfToken: string, error?: string): string {
  return documentPage(
    'Connect a device',
    html`<h1>Connect a device</h1>
<p>Enter the code shown on your device.</p>
${error === undefined ? html`` : html`<p class="error">${error}</p>`}
<form method="post" action="${action}">
<input type="hidden" name="csrf_token" value="${csrfToken}">
<label>Code <input name="user_code" autocomplete="off" autocapitalize="characters" placeholder="XXXX-XXXX" autofocus></label>
<button class="primary" type="submit">Continue</button>
</form>`,
  );
}

/** Shown after the user approved or denied. */
export function renderDeviceDone(approved: boolean): string {
  return documentPage(
    approved ? 'Device connected' : 'Device denied',
    approved
      ? html`<h1>Device connected</h1><p>You can return to your device.</p>`
      : html`<h1>Access denied</h1><p>The device was not connected.</p>`,
  );
}
