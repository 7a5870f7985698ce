import { FORM_FIELDS } from './form-contract';
import { html } from './html';
import type { ViewContext } from './view-types';

/** What the device code form shows (view `deviceCode`, RFC 8628 §3.3). */
export interface DeviceCodeViewData {
  /** Where the form posts (`POST {basePath}/device`). */
  action: string;
  /** Hidden fields to post back unchanged: the CSRF token (`csrf_token`). */
  fields: Record<string, string>;
  /** Why the last code was refused (wrong, expired, too many tries), in the page's language; or `null`. */
  error: string | null;
}

/** What the page after the device decision shows (view `deviceDone`). */
export interface DeviceDoneViewData {
  approved: boolean;
}

/** The built-in form where a user types the code their device shows; it posts `user_code`. */
export async function renderDeviceCodeForm(
  data: DeviceCodeViewData,
  context: ViewContext<'deviceCode'>,
): Promise<string> {
  const { t } = context;
  const hidden = Object.entries(data.fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  );
  return context.layout({
    title: t.text('device.title'),
    kind: 'flow',
    body: html`<h1>${t.text('device.title')}</h1>
<p>${t.text('device.enterCode')}</p>
${data.error === null ? html`` : html`<p class="error">${data.error}</p>`}
<form method="post" action="${data.action}">
${hidden}
<label>${t.text('device.codeLabel')} <input name="${FORM_FIELDS.userCode}" autocomplete="off" autocapitalize="characters" placeholder="XXXX-XXXX" autofocus></label>
<button class="primary" type="submit">${t.text('device.continue')}</button>
</form>`,
  });
}

/** The built-in page shown after the user approved or denied a device. */
export async function renderDeviceDone(
  data: DeviceDoneViewData,
  context: ViewContext<'deviceDone'>,
): Promise<string> {
  const { t } = context;
  return context.layout({
    title: t.text(data.approved ? 'device.connectedTitle' : 'device.deniedTitle'),
    kind: 'flow',
    body: data.approved
      ? html`<h1>${t.text('device.connectedTitle')}</h1><p>${t.text('device.connectedBody')}</p>`
      : html`<h1>${t.text('device.deniedHeading')}</h1><p>${t.text('device.deniedBody')}</p>`,
  });
}
