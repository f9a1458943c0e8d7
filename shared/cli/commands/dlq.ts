/**
 * `oplake dlq list|show`: the dead-letter archive (archive/dlq/<source>/dt=.../*.jsonl) of the
 * local data directory, or of a deployment's lake bucket with --bucket (AWS credentials from the
 * environment). Read-only: works while the dev server runs.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { type ArchivedRecord, type ArchiveQuery, readArchive } from '../../dlq/archive.js';
import { DATE_PATTERN } from '../../domain/limits.js';
import type { ObjectStore } from '../../ports/object-store.js';
import { type CliContext, CliError } from '../context.js';

interface StoreOptions {
  dataDir: string;
  bucket?: string;
}

async function openStore(options: StoreOptions): Promise<ObjectStore> {
  if (options.bucket !== undefined) {
    const [{ S3Client }, { S3ObjectStore }] = await Promise.all([
      import('@aws-sdk/client-s3'),
      import('../../adapters/aws/s3-object-store.js'),
    ]);
    return new S3ObjectStore(new S3Client({}), options.bucket);
  }
  const { FileObjectStore } = await import('../../adapters/local/file-object-store.js');
  return new FileObjectStore(join(options.dataDir, 'lake'));
}

function withStoreOptions(command: Command, ctx: CliContext): Command {
  return command
    .option('--data-dir <dir>', 'local data directory', ctx.config.dataDir)
    .option('--bucket <name>', "a deployment's lake bucket instead of the local data directory");
}

function checkDate(name: string, value: string | undefined): void {
  if (value !== undefined && !DATE_PATTERN.test(value))
    throw new CliError(`${name} must be YYYY-MM-DD, got ${value}`);
}

/** One line per archived letter, without its body (`dlq show` prints it). */
function listed(record: ArchivedRecord & { key: string }): Record<string, unknown> {
  const { body: _body, key, ...rest } = record;
  return { ...rest, archive: key };
}

export function register(program: Command, ctx: CliContext): void {
  const dlq = program.command('dlq').description('the dead-letter archive the sweeper keeps (archive/dlq/)');
  withStoreOptions(
    dlq
      .command('list')
      .description('list archived dead letters, one JSON line each (no body)')
      .option('--source <name>', 'only this source (batches, fanout, firehose)')
      .option('--from <YYYY-MM-DD>', 'archived on or after this UTC day')
      .option('--to <YYYY-MM-DD>', 'archived on or before this UTC day'),
    ctx,
  ).action(async (options: StoreOptions & { source?: string; from?: string; to?: string }) => {
    checkDate('--from', options.from);
    checkDate('--to', options.to);
    const query: ArchiveQuery = {
      ...(options.source !== undefined ? { source: options.source } : {}),
      ...(options.from !== undefined ? { from: options.from } : {}),
      ...(options.to !== undefined ? { to: options.to } : {}),
    };
    const store = await openStore(options);
    let count = 0;
    try {
      for await (const record of readArchive(store, query)) {
        ctx.out(JSON.stringify(listed(record)));
        count++;
      }
    } catch (error) {
      if (error instanceof RangeError) throw new CliError(error.message);
      throw error;
    }
    ctx.err(`${count} archived dead letter(s)`);
  });
  withStoreOptions(
    dlq
      .command('show')
      .description('print every archived copy of one dead letter, body included, as JSON')
      .argument('<id>', 'message id (or <object key>#<line> for Firehose records), from dlq list'),
    ctx,
  ).action(async (id: string, options: StoreOptions) => {
    const store = await openStore(options);
    const found: ArchivedRecord[] = [];
    for await (const record of readArchive(store)) if (record.id === id) found.push(record);
    if (found.length === 0) throw new CliError(`no archived dead letter ${id}`);
    for (const record of found) ctx.out(JSON.stringify(record, null, 2));
  });
}
