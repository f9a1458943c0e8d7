/**
 * AWS composition root of ctas-runner (SQS event source on the fan-out queue, with
 * ReportBatchItemFailures and a MaximumConcurrency that protects the shared Athena DML quota).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AthenaCompactionEngine } from '../../shared/adapters/aws/athena-compaction-engine.js';
import { AthenaConversionEngine } from '../../shared/adapters/aws/athena-conversion-engine.js';
import { AthenaRunner } from '../../shared/adapters/aws/athena-runner.js';
import { S3DayLeases } from '../../shared/adapters/aws/s3-day-leases.js';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store.js';
import { createObservability } from '../../shared/observability/index.js';
import { systemClock } from '../../shared/ports/clock.js';
import { LakeUsageMeter } from '../../shared/usage/lake-usage-meter.js';
import { readCtasRunnerEnv } from './config.js';
import { createCtasRunnerHandler } from './create-handler.js';
import { SfnTaskCallbacks } from './sfn-task-callbacks.js';

const config = readCtasRunnerEnv(process.env);
const obs = createObservability('ctas-runner');
const { tracer } = obs;
const s3 = tracer.captureAWSv3Client(new S3Client({}));
const store = new S3ObjectStore(s3, config.lakeBucket);
const athena = new AthenaRunner(tracer.captureAWSv3Client(new AthenaClient({})));
const athenaCommon = {
  bucket: config.lakeBucket,
  database: config.database,
  workgroup: config.workgroup,
  ...(config.outputLocation ? { outputLocation: config.outputLocation } : {}),
};

export const handler = createCtasRunnerHandler({
  store,
  engine: new AthenaConversionEngine(athena, store, {
    ...athenaCommon,
    rawTable: config.rawTable,
    eventsTable: config.eventsTable,
    legacyTable: config.legacyTable,
    monthTable: config.monthTable,
  }),
  leases: new S3DayLeases(s3, config.lakeBucket),
  ...(config.compaction.maxMonths > 0
    ? {
        compaction: {
          engine: new AthenaCompactionEngine(athena, store, {
            ...athenaCommon,
            eventsTable: config.eventsTable,
            monthTable: config.monthTable,
          }),
          policy: config.compaction,
        },
      }
    : {}),
  callbacks: new SfnTaskCallbacks(tracer.captureAWSv3Client(new SFNClient({}))),
  clock: systemClock,
  obs,
  usage: new LakeUsageMeter(store, systemClock),
});
