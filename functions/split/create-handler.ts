/**
 * The split Lambda handler for any set of adapters (AWS: handler.ts; local mode: the dev
 * server's queue worker). Follows the Middy SQS contract: the handler answers
 * `Promise.allSettled(records.map(processRecord))` and @middy/sqs-partial-batch-failure turns
 * the rejected entries into `batchItemFailures` (the event source mapping sets
 * ReportBatchItemFailures), so one bad message never fails its neighbours.
 */
import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { observe } from '../../shared/observability/index.js';
import { processRecord, type SplitDeps } from './split.js';

export type { SplitDeps } from './split.js';

export function createSplitHandler(
  deps: SplitDeps,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const handler = middy<SQSEvent, PromiseSettledResult<unknown>[], Error, Context>()
    // processRecord already logged each failure with its tenant and message id.
    .use(sqsPartialBatchFailure({ logger: () => undefined }))
    .handler(async (event) => {
      const settled = await Promise.allSettled(event.Records.map((record) => processRecord(record, deps)));
      await deps.usage?.flush(); // a failure retries the batch; usage ids make the recount harmless
      return settled;
    });
  // The middleware replaces the settled results with the SQSBatchResponse before middy returns.
  return observe(handler, deps.obs) as unknown as (
    event: SQSEvent,
    context: Context,
  ) => Promise<SQSBatchResponse>;
}
