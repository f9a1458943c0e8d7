#!/usr/bin/env node
// Sets SQS queue attributes the pinned provider (hashicorp/aws 5.100) cannot: MaximumMessageSize
// above 262,144 bytes (SQS allows 1 MiB since August 2025; the provider still validates 256 KiB).
// Run by terraform_data provisioners in modules/queue with the deployer's credentials.
//
//   node sqs-set-attributes.cjs QUEUE_URL Name=Value [Name=Value ...]
//
// Region: AWS_REGION; endpoint (emulator): AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL.
// Written as CommonJS so it resolves @aws-sdk/client-sqs from the repository's node_modules.
'use strict';
const { SQSClient, SetQueueAttributesCommand, GetQueueAttributesCommand } = require('@aws-sdk/client-sqs');

async function main() {
  const [queueUrl, ...pairs] = process.argv.slice(2);
  if (!queueUrl || pairs.length === 0) {
    console.error('usage: sqs-set-attributes.cjs QUEUE_URL Name=Value [Name=Value ...]');
    process.exit(2);
  }
  const attributes = Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`not Name=Value: ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  const client = new SQSClient({ maxAttempts: 5 });
  await client.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes }));
  const { Attributes: now = {} } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: Object.keys(attributes) }),
  );
  for (const [name, value] of Object.entries(attributes)) {
    if (now[name] !== value) throw new Error(`${queueUrl}: ${name} is ${now[name]}, wanted ${value}`);
  }
  console.log(`${queueUrl}: ${pairs.join(' ')}`);
}

main().catch((error) => {
  console.error(`sqs-set-attributes: ${error.message}`);
  process.exit(1);
});
