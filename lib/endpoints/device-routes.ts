import { answering, type Route } from './chain';
import { startDeviceAuthorization } from './device-code';
import {
  answerDeviceCodeError,
  askForUserCode,
  findPendingDevice,
  prepareDeviceConsent,
  recordDeviceDecision,
  requireDeviceLogin,
  showConsentUntilDecided,
} from './device-page';
import { answerJson, answerPage } from './error-styles';
import { checkCsrf, showConsent } from './steps/page-steps';
import {
  clientRequest,
  cors,
  pageHeaders,
  preflight,
  readParameters,
  readQuery,
} from './steps/request-steps';

/** The device flow's routes (RFC 8628 §3.1, §3.3); they exist only while the device grant is enabled. */
export function deviceRoutes(base: string): Route[] {
  // biome-ignore format: a table, one route a line
  return [
    ...answering(answerJson, {
      [`OPTIONS ${base}/device/code`]: [preflight],
      [`POST ${base}/device/code`]: [cors, ...clientRequest('device_code'), startDeviceAuthorization],
    }),
    ...answering(answerPage, {
      [`GET ${base}/device`]: [pageHeaders, requireDeviceLogin, readQuery, askForUserCode, findPendingDevice, prepareDeviceConsent, showConsent],
    }),
    // A wrong code posted from the code form shows that form again, with the reason.
    ...answering(answerDeviceCodeError, {
      [`POST ${base}/device`]: [pageHeaders, readParameters, requireDeviceLogin, checkCsrf, findPendingDevice, showConsentUntilDecided, recordDeviceDecision],
    }),
  ];
}
