import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from '@jest/globals';
import { newKeySet } from '../../auth/tokens.js';
import { motoClientConfig, uniqueName } from './moto-kit.js';
import { SsmKeySetSource } from './ssm-key-set.js';

describe('SsmKeySetSource against moto_server', () => {
  it('reads and decrypts the key set from a SecureString', async () => {
    // Prepare
    const client = new SSMClient(motoClientConfig());
    const name = `/oplake/${uniqueName('keys')}`;
    const keySet = newKeySet('k1');
    await client.send(
      new PutParameterCommand({ Name: name, Type: 'SecureString', Value: JSON.stringify(keySet) }),
    );
    const source = new SsmKeySetSource(new SSMProvider({ awsSdkV3Client: client }), name);
    // Act
    const loaded = await source.load();
    // Assess
    expect(loaded).toEqual(keySet);
  });

  it('fails loudly when the parameter is not a key set', async () => {
    // Prepare
    const client = new SSMClient(motoClientConfig());
    const name = `/oplake/${uniqueName('keys')}`;
    await client.send(new PutParameterCommand({ Name: name, Type: 'SecureString', Value: '{"keys":{}}' }));
    const source = new SsmKeySetSource(new SSMProvider({ awsSdkV3Client: client }), name);
    // Act
    const outcome = source.load();
    // Assess
    await expect(outcome).rejects.toThrow(/not a key set/);
  });
});
