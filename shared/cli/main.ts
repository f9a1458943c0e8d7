/**
 * The `oplake` CLI (CONTRACT.md "Operations", "Tokens"). The composition root of the command
 * line: reads the environment once, then one module per command under commands/, each
 * `register(program, context)`. Exit code 0 only on success; results on stdout, the rest on stderr.
 *
 * Adding a command: write commands/<name>.ts exporting `register(program, ctx)` and list it in
 * COMMANDS. An admin operation that runs against the server or in process uses adminCall()
 * (commands/admin-call.ts), as `flush` does.
 */
import { Command, CommanderError } from 'commander';
import { readLocalConfig } from '../local/runtime/config.js';
import * as aggregate from './commands/aggregate.js';
import * as dlq from './commands/dlq.js';
import * as flush from './commands/flush.js';
import * as nightly from './commands/nightly.js';
import * as search from './commands/search.js';
import * as serve from './commands/serve.js';
import * as sweep from './commands/sweep.js';
import * as tenant from './commands/tenant.js';
import * as token from './commands/token.js';
import * as usage from './commands/usage.js';
import { type CliContext, CliError } from './context.js';

export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}

export const COMMANDS: readonly CommandModule[] = [
  token,
  flush,
  nightly,
  tenant,
  sweep,
  dlq,
  search,
  aggregate,
  usage,
  serve,
];

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('oplake')
    .description('oplake: multi-tenant operation-log pipeline (local mode and operations)')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (s) => ctx.out(s.replace(/\n$/, '')),
      writeErr: (s) => ctx.err(s.replace(/\n$/, '')),
    })
    .exitOverride();
  for (const command of COMMANDS) command.register(program, ctx);
  for (const sub of program.commands) sub.exitOverride().showHelpAfterError();
  return program;
}

/** Runs the CLI; answers the exit code. */
export async function run(
  argv: readonly string[],
  io: Partial<Pick<CliContext, 'out' | 'err'>> = {},
): Promise<number> {
  const out = io.out ?? ((text: string) => process.stdout.write(`${text}\n`));
  const err = io.err ?? ((text: string) => process.stderr.write(`${text}\n`));
  try {
    const ctx: CliContext = {
      config: readLocalConfig(process.env),
      searchToken: process.env.OPLAKE_TOKEN || undefined,
      apiUrl: process.env.OPLAKE_URL || undefined,
      out,
      err,
    };
    const program = buildProgram(ctx);
    if (argv.length <= 2) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode; // help (0) or usage error, already printed
    if (error instanceof CliError) {
      err(`oplake: ${error.message}`);
      return error.exitCode;
    }
    err(`oplake: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
