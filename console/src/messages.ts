/** Errors of the contract as sentences for a person, in the chosen language. */
import { ApiRequestError, CancelledError } from '../../shared/client/api-client.js';
import { format, type Lang, type MessageKey } from './i18n.js';

export function errorSentence(lang: Lang, error: unknown): string {
  if (error instanceof CancelledError) return format(lang, 'cancelled');
  if (!(error instanceof ApiRequestError)) return format(lang, 'err_internal');
  switch (error.code) {
    case 'invalid_request': {
      const details = error.details
        .map((d) => (d.field ? `${d.field}: ${d.message ?? ''}` : (d.message ?? '')))
        .filter(Boolean)
        .join('; ');
      return format(lang, 'err_invalid_request', { details: details || error.message });
    }
    case 'too_many_queries':
    case 'rate_limited':
      return format(lang, 'err_too_many_queries', { seconds: error.retryAfter ?? 5 });
    case 'unauthorized':
    case 'forbidden':
    case 'not_found':
    case 'scan_limit_exceeded':
    case 'unavailable':
    case 'internal':
    case 'network':
      return format(lang, `err_${error.code}` as MessageKey);
    default:
      return format(lang, 'err_other', { status: error.status, message: error.message });
  }
}

/** 401: the token is no longer good; the console goes back to sign-in. */
export function needsSignIn(error: unknown): boolean {
  return error instanceof ApiRequestError && error.status === 401;
}
