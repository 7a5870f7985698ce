import type { Request, Response } from 'express';
import { csrfToken } from './csrf';
import { playgroundCallback } from './demo-clients';
import type { Masking } from './mask';
import { type PlaygroundState, playgroundState, secretsOf } from './state';
import { clientCredentialsView } from './views/client-credentials-view';
import { deviceFlowView } from './views/device-view';
import type { Html } from './views/html';
import { layout, type Section } from './views/layout';
import { overviewView } from './views/overview-view';
import { webFlowView } from './views/web-flow-view';
import { clientReaches } from './wire';

export interface ScopeChoice {
  name: string;
  description: string;
}

export interface RenderContext {
  issuer: string;
  login: string;
  userScopes: readonly ScopeChoice[];
  machineScopes: readonly ScopeChoice[];
}

/**
 * Headers for every page the example renders: a CSP that allows only the example's own script
 * and stylesheet (no inline script), no framing (clickjacking), no referrer (a callback URL
 * carries a code), no caching (pages carry tokens and CSRF tokens).
 */
export function setPageHeaders(res: Response): void {
  res.set({
    'Content-Security-Policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
}

const TITLES: Record<Exclude<Section, 'home'>, string> = {
  overview: 'OAuth playground',
  web: 'Web flow',
  device: 'Device flow',
  'client-credentials': 'Client credentials',
};

const PATHS: Record<Exclude<Section, 'home'>, string> = {
  overview: '/playground',
  web: '/playground/web',
  device: '/playground/device',
  'client-credentials': '/playground/client-credentials',
};

export function sectionPath(section: Exclude<Section, 'home'>): string {
  return PATHS[section];
}

function body(
  section: Exclude<Section, 'home'>,
  req: Request,
  ctx: RenderContext,
  state: PlaygroundState,
): Html {
  const masking: Masking = { reveal: state.reveal, secrets: secretsOf(state) };
  const token = csrfToken(req);
  switch (section) {
    case 'overview':
      return overviewView({
        state,
        issuer: ctx.issuer,
        callbackUrl: playgroundCallback(ctx.issuer),
        csrfToken: token,
        masking,
        issuerMismatch: `${req.protocol}://${req.get('host') ?? ''}` !== new URL(ctx.issuer).origin,
        issuerRefused: !clientReaches(ctx.issuer),
      });
    case 'web':
      return webFlowView({
        web: state.web,
        kind: state.kind,
        scopes: ctx.userScopes,
        callbackUrl: playgroundCallback(ctx.issuer),
        csrfToken: token,
        masking,
      });
    case 'device':
      return deviceFlowView({
        device: state.device,
        kind: state.kind,
        scopes: ctx.userScopes,
        csrfToken: token,
        masking,
      });
    case 'client-credentials':
      return clientCredentialsView({
        flow: state.clientCredentials,
        scopes: ctx.machineScopes,
        csrfToken: token,
        masking,
      });
  }
}

/** Renders one playground page for this session and shows (then forgets) its pending notice. */
export function sendPlaygroundPage(
  req: Request,
  res: Response,
  ctx: RenderContext,
  section: Exclude<Section, 'home'>,
): void {
  const state = playgroundState(req);
  const notice = state.notice;
  state.notice = null;
  setPageHeaders(res);
  res.type('html').send(
    layout(
      {
        title: TITLES[section],
        login: ctx.login,
        section,
        csrfToken: csrfToken(req),
        secrets: { reveal: state.reveal, returnTo: PATHS[section] },
        notice,
      },
      body(section, req, ctx, state),
    ),
  );
}
