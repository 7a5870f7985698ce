import { type Masking, maskedHeaderHtml, maskedHtml } from '../mask';
import type { Exchange, StepRecord, WireResponse } from '../state';
import { type Html, html } from './html';
import { findingsList, richText } from './parts';

/** Headers a reader of a step should notice: the scopes a token carries, challenges, caching. */
const NOTABLE = new Set([
  'x-oauth-scopes',
  'x-accepted-oauth-scopes',
  'www-authenticate',
  'cache-control',
  'location',
]);

function headerLines(headers: readonly [string, string][], masking: Masking): Html[] {
  return headers.map(([name, value]) => {
    const line = html`${name}: ${maskedHeaderHtml(name, value, masking)}`;
    return NOTABLE.has(name.toLowerCase()) ? html`<span class="hl">${line}</span>\n` : html`${line}\n`;
  });
}

function isJson(response: WireResponse): boolean {
  return response.headers.some(([name, value]) => name === 'content-type' && /json/i.test(value));
}

/** JSON answers are indented for reading (the wire carries them on one line); anything else is shown as received. */
function responseBody(response: WireResponse): { text: string; pretty: boolean } {
  if (response.body !== '' && isJson(response)) {
    try {
      return { text: JSON.stringify(JSON.parse(response.body), null, 2), pretty: true };
    } catch {
      // Not JSON after all: show it as it came.
    }
  }
  return { text: response.body, pretty: false };
}

function statusClass(status: number): string {
  return status < 300 ? 's2xx' : status < 400 ? 's3xx' : status < 500 ? 's4xx' : 's5xx';
}

/** One request and its response, as sent and received, with every secret masked unless revealed. */
export function exchangeView(exchange: Exchange, masking: Masking): Html {
  const { request, response } = exchange;
  const requestBlock = html`<pre class="http" data-copy>${request.method} ${maskedHtml(request.url, masking)}
${headerLines(request.headers, masking)}${request.body === null ? '' : html`\n${maskedHtml(request.body, masking)}`}</pre>`;
  let responseBlock: Html;
  if (response === null) {
    responseBlock = html`<p class="muted">No response.</p>`;
  } else {
    const body = responseBody(response);
    responseBlock = html`<pre class="http" data-copy>HTTP/1.1 ${response.status} ${response.statusText}
${headerLines(response.headers, masking)}${body.text === '' ? '' : html`\n${maskedHtml(body.text, masking)}`}</pre>
${body.pretty ? html`<p class="hint">JSON body indented for reading.</p>` : ''}`;
  }
  const status =
    response === null
      ? html``
      : html` <span class="status ${statusClass(response.status)}">${response.status}</span>`;
  return html`<div class="exchange">
<h3>${exchange.title}${status}</h3>
<div class="halves">
<div><div class="label">Request <span class="arrow">→</span></div>${requestBlock}</div>
<div><div class="label">Response <span class="arrow">←</span></div>${responseBlock}</div>
</div>
${exchange.verdict ? html`<p class="verdict">${richText(exchange.verdict)}</p>` : ''}
</div>`;
}

/** Several exchanges; the first `collapsed` of them folded away (e.g. the metadata look-up). */
export function exchangesView(exchanges: readonly Exchange[], masking: Masking, collapsed = 0): Html {
  return html`${exchanges.map((exchange, i) =>
    i < collapsed
      ? html`<details class="exchange-fold"><summary>${exchange.title} — ${exchange.request.method} ${exchange.request.url}</summary>${exchangeView(exchange, masking)}</details>`
      : exchangeView(exchange, masking),
  )}`;
}

/** What a step found, then what went over the wire. */
export function stepResults(record: StepRecord | undefined, masking: Masking, collapsed = 0): Html | '' {
  if (record === undefined) return '';
  return html`${findingsList(record.findings)}${exchangesView(record.exchanges, masking, collapsed)}`;
}
