/** What each screen of the console gets from the shell. */
import type { ApiClient } from '../../shared/client/api-client.js';
import type { Lang, MessageKey } from './i18n.js';

export interface ViewContext {
  lang: Lang;
  t(key: MessageKey, values?: Record<string, string | number>): string;
  client: ApiClient;
  /** The token stopped working (401): back to sign-in with this message. */
  expired(): void;
}
