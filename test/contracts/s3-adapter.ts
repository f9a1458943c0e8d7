/** The S3 adapter under the ObjectStore contract: S3ObjectStore against moto_server (a fresh bucket each). */
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { motoClientConfig, uniqueName } from '../../shared/adapters/aws/moto-kit.js';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.js';
import type { AdapterUnderTest } from './adapter.js';

export const s3Adapter: AdapterUnderTest = {
  name: 'S3ObjectStore (moto_server)',
  async create() {
    const client = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
    const bucket = uniqueName('oplake-contract');
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: (await client.config.region()) as 'ap-northeast-1' },
      }),
    );
    const store = new S3ObjectStore(client, bucket);
    return {
      store,
      async dispose() {
        const keys: string[] = [];
        for await (const info of store.list('')) keys.push(info.key);
        await store.delete(keys);
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
        client.destroy();
      },
    };
  },
};
