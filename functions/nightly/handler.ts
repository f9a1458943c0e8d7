/** AWS composition root of the nightly function (the workflow's Discover, Housekeep and Summarise steps). */
import { S3Client } from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.js';
import { createObservability } from '../../shared/observability/index.js';
import { systemClock } from '../../shared/ports/clock.js';
import { readNightlyEnv } from './config.js';
import { createNightlyHandler } from './create-handler.js';

const config = readNightlyEnv(process.env);
const obs = createObservability('nightly');

export const handler = createNightlyHandler({
  store: new S3ObjectStore(obs.tracer.captureAWSv3Client(new S3Client({})), config.lakeBucket),
  bucket: config.lakeBucket,
  clock: systemClock,
  obs,
  retention: config.retention,
  retentionAreas: config.retentionAreas,
  defaultMaxConcurrency: config.maxConcurrency,
  batchSize: config.batchSize,
  // S3 LIST takes ~40 ms: 20,000 tenant listings 64 at a time take ~15 s of the 300 s timeout.
  listWidth: 64,
  ...(config.maxTenantsPerRun === undefined ? {} : { maxTenantsPerRun: config.maxTenantsPerRun }),
  legacyDaysPerRun: config.legacyDaysPerRun,
  intradayMinRawBytes: config.intradayMinRawBytes,
});
