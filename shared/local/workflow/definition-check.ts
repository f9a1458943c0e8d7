/**
 * The nightly definition is validated as deployed (asl-validator, inside aws-local-stepfunctions)
 * once per definition, not once per run: Step Functions validates a definition when it is deployed,
 * not per execution, and the validator builds its JSON schemas anew on every call (0.3-1 s of CPU
 * on this machine, against a few seconds for a whole night of a small lake). The verdict is kept
 * for the process and, given a data directory, in an empty file named by the SHA-256 of the
 * library's version and the rendered definition: a data directory validates each definition once.
 * CI validates the same file on every run (test/nightly/asl.test.ts).
 */
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { sha256Hex } from '../../domain/ids.js';

const processVerdicts = new Set<string>();
let libraryVersion: Promise<string> | undefined;

async function readLibraryVersion(): Promise<string> {
  const main = createRequire(import.meta.url).resolve('aws-local-stepfunctions');
  const manifest = JSON.parse(await readFile(join(dirname(main), '..', 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** Where a data directory keeps its verdicts. */
export function verdictDir(dataDir: string): string {
  return join(dataDir, 'tmp', 'nightly-definition');
}

/**
 * Throws (the library's validation error) when the definition is invalid. Answers `validated` when
 * it ran the validator, `known` when this definition was validated before.
 */
export async function validateDefinitionOnce(
  definition: Readonly<Record<string, unknown>>,
  dataDir?: string,
  /** The process's verdicts (a fresh set in tests stands for a new process). */
  validated: Set<string> = processVerdicts,
): Promise<'validated' | 'known'> {
  libraryVersion ??= readLibraryVersion();
  const digest = sha256Hex(`${await libraryVersion}\n${JSON.stringify(definition)}`);
  if (validated.has(digest)) return 'known';
  const verdict = dataDir === undefined ? undefined : join(verdictDir(dataDir), digest);
  if (
    verdict !== undefined &&
    (await access(verdict).then(
      () => true,
      () => false,
    ))
  ) {
    validated.add(digest);
    return 'known';
  }
  // The validator fills in defaults (QueryLanguage) in what it is given: hand it a copy.
  new StateMachine(structuredClone(definition) as never, {
    validationOptions: { checkArn: true, checkPaths: true },
  });
  validated.add(digest);
  if (verdict !== undefined) {
    await mkdir(dirname(verdict), { recursive: true });
    await writeFile(verdict, '');
  }
  return 'validated';
}
