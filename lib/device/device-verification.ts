import type { Request, RequestHandler, Response } from 'express';
import { ERROR_STYLE } from '../errors/error-responder';
import {
  ForgedFormError,
  InvalidRequestError,
  OAuthError,
  TooManyAttemptsError,
} from '../errors/oauth-error';
import type { ProviderEvents } from '../events/provider-events';
import { asyncHandler } from '../http/async-handler';
import { issueCsrfToken, verifyCsrfToken } from '../http/csrf';
import { currentUser, loginRedirectUrl } from '../http/current-user';
import { queryParameters, readParameters } from '../http/parse-body';
import type { ResourceOwner } from '../options/provider-options';
import type { GrantService } from '../services/grant-service';
import { isLive } from '../services/token-service';
import type { ApplicationRecord, TokenRecord } from '../storage/storage-adapter';
import { renderConsentPage } from '../views/consent-page';
import { renderDeviceCodeForm, renderDeviceDone } from '../views/device-pages';
import { setPageSecurityHeaders } from '../views/html';
import { AttemptLimiter } from './attempt-limiter';
import type { DeviceServices } from './device-authorization-endpoint';
import { decisionHash, normalizeUserCode, userCodeHash } from './device-records';

export interface DeviceVerificationServices extends DeviceServices {
  grants: GrantService;
  events: ProviderEvents;
}

interface PendingDevice {
  userCode: string;
  userCodeRecord: TokenRecord;
  device: TokenRecord;
  client: ApplicationRecord;
}

/**
 * `GET/POST /oauth/device` (RFC 8628 §3.3): the logged-in user enters the user code, sees the
 * consent page for the device's application, and approves or denies. Wrong codes are limited to
 * 5 a minute per user (§5.1).
 */
export function deviceVerification(services: DeviceVerificationServices): {
  show: RequestHandler;
  decide: RequestHandler;
} {
  const { options, adapter } = services;
  const limiter = new AttemptLimiter(5, 60_000);

  async function loggedIn(req: Request, res: Response): Promise<ResourceOwner | null> {
    const user = await currentUser(req, options);
    if (user !== null) return user;
    const returnTo = req.method === 'GET' ? req.originalUrl : `${req.baseUrl}${options.basePath}/device`;
    res.redirect(302, loginRedirectUrl(options, returnTo));
    return null;
  }

  async function findPending(input: string, userId: string): Promise<PendingDevice> {
    const wait = limiter.retryAfter(userId);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const userCode = normalizeUserCode(input);
    const now = new Date();
    const userCodeRecord = userCode === null ? null : await adapter.findTokenByHash(userCodeHash(userCode));
    const [device] =
      userCodeRecord?.familyId != null
        ? await adapter.listTokens({ id: userCodeRecord.familyId, kind: 'device' })
        : [];
    const client =
      device?.applicationId != null ? await services.applications.findById(device.applicationId) : null;
    if (
      userCode === null ||
      userCodeRecord === null ||
      !isLive(userCodeRecord, now) ||
      !device ||
      !isLive(device, now) ||
      !client
    ) {
      limiter.recordFailure(userId);
      throw new InvalidRequestError('That code is not valid or has expired; check your device');
    }
    return { userCode, userCodeRecord, device, client };
  }

  function consent(req: Request, res: Response, user: ResourceOwner, pending: PendingDevice): void {
    const fields = { user_code: pending.userCode, csrf_token: issueCsrfToken(req, res, user.id, options) };
    const data = {
      user,
      application: {
        name: pending.client.name,
        homepageUrl: pending.client.homepageUrl,
        clientId: pending.client.clientId,
      },
      scopes: pending.device.scopes.map((name) => ({ name, description: options.scopes.describe(name) })),
      fields,
      action: `${req.baseUrl}${options.basePath}/device`,
    };
    res.type('html').send((options.renderConsent ?? renderConsentPage)(data));
  }

  async function record(pending: PendingDevice, user: ResourceOwner, approved: boolean): Promise<void> {
    const now = new Date();
    const consumed = await adapter.consumeToken('device', pending.userCodeRecord.hash, now, 0);
    if (consumed?.outcome !== 'consumed') throw new InvalidRequestError('This code has already been used');
    const grant = approved
      ? await services.grants.approve(user.id, pending.client, pending.device.scopes)
      : null;
    const subject = {
      applicationId: pending.client.id,
      userId: user.id,
      grantId: grant?.id ?? null,
      familyId: pending.device.id,
      scopes: pending.device.scopes,
    };
    const ttl = Math.max(
      1,
      Math.ceil(((pending.device.expiresAt?.getTime() ?? now.getTime()) - now.getTime()) / 1000),
    );
    const decision = services.tokens.mint('device', subject, ttl, now).record;
    await adapter.insertToken({ ...decision, hash: decisionHash(pending.device.id) });
    if (!approved) {
      await adapter.revokeTokens({ id: decision.id }, now);
      services.events.emit('authorization.denied', { userId: user.id, clientId: pending.client.clientId });
    }
  }

  const action = (req: Request): string => `${req.baseUrl}${options.basePath}/device`;

  const show = asyncHandler(async function showDeviceVerification(req, res) {
    setPageSecurityHeaders(res);
    res.locals[ERROR_STYLE.html] = true;
    const user = await loggedIn(req, res);
    if (user === null) return;
    const code = queryParameters(req).user_code;
    if (code === undefined) {
      res.type('html').send(renderDeviceCodeForm(action(req), issueCsrfToken(req, res, user.id, options)));
      return;
    }
    consent(req, res, user, await findPending(code, user.id));
  });

  const decide = asyncHandler(async function decideDeviceVerification(req, res) {
    setPageSecurityHeaders(res);
    res.locals[ERROR_STYLE.html] = true;
    const params = await readParameters(req, options.bodyLimit);
    const user = await loggedIn(req, res);
    if (user === null) return;
    if (!verifyCsrfToken(req, user.id, params.csrf_token, options)) {
      throw new ForgedFormError();
    }
    let pending: PendingDevice;
    try {
      pending = await findPending(params.user_code ?? '', user.id);
    } catch (error) {
      if (!(error instanceof OAuthError) || error.status >= 500) throw error;
      res.status(error.status).set(error.headers).type('html');
      res.send(
        renderDeviceCodeForm(action(req), issueCsrfToken(req, res, user.id, options), error.description),
      );
      return;
    }
    if (params.decision === undefined) {
      consent(req, res, user, pending);
      return;
    }
    if (params.decision !== 'approve' && params.decision !== 'deny') {
      throw new InvalidRequestError('decision must be "approve" or "deny"');
    }
    await record(pending, user, params.decision === 'approve');
    res.type('html').send(renderDeviceDone(params.decision === 'approve'));
  });

  return { show, decide };
}
