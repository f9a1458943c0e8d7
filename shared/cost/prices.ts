/**
 * Every price the cost model uses, in one dated place, for ap-northeast-1 (Tokyo), on-demand,
 * USD, before tax, without free tiers. Each entry names its source. `basis` says how sure it is:
 *
 *   page      the figure is printed on the cited page (as stored when checked)
 *   published the page is AWS's own pricing page for the service, whose regional table is
 *             rendered by script and was not in the stored copy; the figure is the Tokyo rate as
 *             published there at the time of writing. Check it with the AWS Pricing Calculator
 *             before quoting it to a customer.
 *
 * Change a price here and every figure of `make cost` follows; the unit tests pin the arithmetic,
 * not these numbers.
 */
export const PRICES_CHECKED = '2026-11-30';
export const PRICES_REGION = 'ap-northeast-1';

export interface Price {
  usd: number;
  unit: string;
  source: string;
  basis: 'page' | 'published';
  note?: string;
}

const p = (usd: number, unit: string, source: string, basis: Price['basis'], note?: string): Price =>
  note === undefined ? { usd, unit, source, basis } : { usd, unit, source, basis, note };

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const SQS = 'https://aws.amazon.com/sqs/pricing/';
const DDB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const DDB_PROV = 'https://aws.amazon.com/dynamodb/pricing/provisioned/';
const FIREHOSE = 'https://aws.amazon.com/firehose/pricing/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const ATHENA = 'https://aws.amazon.com/athena/pricing/';
const SFN = 'https://aws.amazon.com/step-functions/pricing/';
const CW = 'https://aws.amazon.com/cloudwatch/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const KDS = 'https://aws.amazon.com/kinesis/data-streams/pricing/';
const EC2 = 'https://aws.amazon.com/ec2/pricing/on-demand/';
const EMR = 'https://aws.amazon.com/emr/pricing/';
const AOS = 'https://aws.amazon.com/opensearch-service/pricing/';

export const PRICES = Object.freeze({
  lambdaRequest: p(0.2 / 1e6, 'request', LAMBDA, 'page', '$0.20 per 1M requests'),
  lambdaArmGbSecond: p(
    0.0000133334,
    'GB-second (arm64)',
    LAMBDA,
    'published',
    'first tier; x86 is $0.0000166667',
  ),
  functionUrl: p(
    0,
    'request',
    'https://aws.amazon.com/lambda/pricing/ (function URLs)',
    'page',
    'no charge beyond the function',
  ),
  sqsRequest: p(0.4 / 1e6, 'request (64 KB chunk)', SQS, 'published', 'standard queue, $0.40 per 1M'),
  ddbWriteRequest: p(
    0.715 / 1e6,
    'write request unit',
    DDB,
    'published',
    'on-demand, after the Nov 2024 cut',
  ),
  ddbReadRequest: p(0.1425 / 1e6, 'read request unit', DDB, 'published'),
  ddbStorageGbMonth: p(0.285, 'GB-month (Standard)', DDB, 'published'),
  ddbWcuHour: p(0.000742, 'WCU-hour (provisioned)', DDB_PROV, 'published'),
  ddbRcuHour: p(0.0001484, 'RCU-hour (provisioned)', DDB_PROV, 'published'),
  firehoseIngestGb: p(
    0.036,
    'GB ingested (records rounded up to 5 KB)',
    FIREHOSE,
    'published',
    'first 500 TB a month',
  ),
  firehoseDynamicPartitionGb: p(0.024, 'GB processed by dynamic partitioning', FIREHOSE, 'published'),
  firehoseDynamicPartitionObject: p(
    0.005 / 1000,
    'S3 object delivered (dynamic partitioning)',
    FIREHOSE,
    'published',
  ),
  firehoseJqHour: p(0.07, 'JQ processing hour', FIREHOSE, 'published'),
  s3StandardGbMonth: p(
    0.025,
    'GB-month (Standard, first 50 TB)',
    S3,
    'page',
    'Tokyo table quoted by style.potepan.com/articles/12591.html and abicky.net/2022/02/13/184039',
  ),
  s3StandardIaGbMonth: p(0.0138, 'GB-month (Standard-IA)', S3, 'published'),
  s3GlacierIrGbMonth: p(0.005, 'GB-month (Glacier Instant Retrieval)', S3, 'published'),
  s3IaRetrievalGb: p(0.01, 'GB retrieved from Standard-IA', S3, 'published'),
  s3GlacierIrRetrievalGb: p(0.03, 'GB retrieved from Glacier IR', S3, 'published'),
  s3PutRequest: p(0.0047 / 1000, 'PUT/COPY/POST/LIST request', S3, 'published'),
  s3GetRequest: p(0.00037 / 1000, 'GET request', S3, 'published'),
  athenaTbScanned: p(5, 'TB scanned (10 MB minimum a query)', ATHENA, 'published'),
  sfnTransition: p(0.025 / 1000, 'state transition (Standard)', SFN, 'published'),
  cwLogsIngestGb: p(0.76, 'GB of logs ingested', CW, 'published'),
  cwLogsStorageGbMonth: p(0.033, 'GB-month of logs stored (compressed)', CW, 'published'),
  cwCustomMetricMonth: p(0.3, 'custom metric-month', CW, 'published'),
  cwAlarmMonth: p(0.1, 'standard alarm-month', CW, 'published'),
  kmsKeyMonth: p(1, 'customer managed key-month', KMS, 'published'),
  kmsRequest: p(0.03 / 10000, 'request', KMS, 'published'),
  // The 2020 design
  kdsShardHour: p(0.0195, 'shard-hour (provisioned)', KDS, 'published'),
  kdsPutUnit: p(0.0215 / 1e6, 'PUT payload unit (25 KB)', KDS, 'published'),
  emrM5XlargeHour: p(0.248 + 0.048, 'm5.xlarge hour (EC2 + EMR)', `${EC2} + ${EMR}`, 'published'),
  emrM52XlargeHour: p(0.496 + 0.096, 'm5.2xlarge hour (EC2 + EMR)', `${EC2} + ${EMR}`, 'published'),
  ebsGp3GbMonth: p(0.096, 'GB-month (EBS gp3)', 'https://aws.amazon.com/ebs/pricing/', 'published'),
  aosR6gLargeHour: p(0.209, 'r6g.large.search hour', AOS, 'published'),
  aosM6gLargeHour: p(0.158, 'm6g.large.search hour (dedicated master)', AOS, 'published'),
  aosGp3GbMonth: p(0.146, 'GB-month (OpenSearch gp3)', AOS, 'published'),
});

export type PriceBook = { readonly [K in keyof typeof PRICES]: Price };
