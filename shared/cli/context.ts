/** What every CLI command gets: the local config (read once) and where to write. */
import type { LocalConfig } from '../local/runtime/config.js';

export interface CliContext {
  config: Readonly<LocalConfig>;
  /** OPLAKE_TOKEN: the search token of `oplake search|aggregate` when --token is not given. */
  searchToken?: string | undefined;
  /** OPLAKE_URL: the server or deployed search URL when --url is not given. */
  apiUrl?: string | undefined;
  /** The command's result (stdout): only what a script would capture. */
  out(text: string): void;
  /** Progress and errors, for a person (stderr). */
  err(text: string): void;
}

/** A failure the CLI reports as one line on stderr with exit code 1 (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
