/**
 * KeySetSource from an SSM SecureString holding the key set JSON (`{"activeKid", "keys"}`),
 * read with Powertools Parameters (decrypted, cached for `maxAgeSeconds`, so a rotation reaches
 * every warm instance within that time without a call per request).
 */
import type { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { parseKeySet } from '../../auth/file-key-set.js';
import type { KeySet, KeySetSource } from '../../auth/tokens.js';

export class SsmKeySetSource implements KeySetSource {
  constructor(
    private readonly provider: SSMProvider,
    readonly parameterName: string,
    private readonly maxAgeSeconds = 300,
  ) {}

  async load(): Promise<KeySet> {
    const text = await this.provider.get(this.parameterName, { decrypt: true, maxAge: this.maxAgeSeconds });
    if (typeof text !== 'string') {
      throw new Error(`SSM parameter ${this.parameterName} is missing or not a string`);
    }
    return parseKeySet(text, `SSM parameter ${this.parameterName}`);
  }
}
