/**
 * Terraform gives each function (terraform/functions.tf, dlq-sweeper.tf) every environment variable its
 * composition root requires (functions/<name>/config.ts) and no OPLAKE_* variable it never reads.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
// Every root module file: functions.tf holds five functions, dlq-sweeper.tf the sixth.
const tf = readdirSync(join(ROOT, 'terraform'))
  .filter((name) => name.endsWith('.tf'))
  .sort()
  .map((name) => readFileSync(join(ROOT, 'terraform', name), 'utf8'))
  .join('\n');

/** Terraform's module name for each function folder. */
const MODULES: Record<string, string> = {
  ingest: 'ingest',
  split: 'split',
  'ctas-runner': 'ctas_runner',
  nightly: 'nightly',
  search: 'search',
  'dlq-sweeper': 'dlq_sweeper',
};

/** The text of `module "<name>" { ... }`. */
function moduleBlock(name: string): string {
  const start = tf.indexOf(`module "${name}" {`);
  if (start < 0) throw new Error(`module "${name}" not found in terraform/*.tf`);
  let depth = 0;
  for (let i = tf.indexOf('{', start); i < tf.length; i++) {
    if (tf[i] === '{') depth++;
    else if (tf[i] === '}' && --depth === 0) return tf.slice(start, i + 1);
  }
  throw new Error(`module "${name}" is not closed`);
}

function terraformEnv(name: string): Set<string> {
  const block = moduleBlock(name);
  const env = block.slice(block.indexOf('environment'));
  return new Set([...env.matchAll(/\b(OPLAKE_[A-Z0-9_]+)\s*=/g)].map((m) => m[1] as string));
}

function codeEnv(fn: string): { required: Set<string>; all: Set<string> } {
  const text = readFileSync(join(ROOT, 'functions', fn, 'config.ts'), 'utf8');
  const required = new Set(
    [...text.matchAll(/\b(?:required|list)\(\s*env,\s*'(OPLAKE_[A-Z0-9_]+)'/g)].map((m) => m[1] as string),
  );
  const all = new Set([...text.matchAll(/'(OPLAKE_[A-Z0-9_]+)'/g)].map((m) => m[1] as string));
  return { required, all };
}

const functions = readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'functions', d.name, 'config.ts')))
  .map((d) => d.name)
  .sort();

describe('function environments in Terraform match the config readers', () => {
  test('every function with a config reader is deployed', () => {
    expect(functions.filter((fn) => MODULES[fn] === undefined)).toEqual([]);
  });

  for (const fn of functions) {
    const module = MODULES[fn];
    if (module === undefined) continue;

    test(`${fn}: every required variable is set`, () => {
      const set = terraformEnv(module);
      expect([...codeEnv(fn).required].filter((name) => !set.has(name))).toEqual([]);
    });

    test(`${fn}: every OPLAKE_* variable set is read`, () => {
      const read = codeEnv(fn).all;
      expect([...terraformEnv(module)].filter((name) => !read.has(name))).toEqual([]);
    });
  }
});
