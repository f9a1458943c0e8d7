/**
 * Each function's IAM policy (terraform/iam.tf, `local.policies`) allows exactly what its
 * code calls: the AWS SDK commands reachable from functions/<name>/handler.ts, plus what the
 * services it drives call with its credentials (Athena reads Glue and S3 as the caller; S3 and
 * SSM decrypt with KMS). A missing action fails at run time on AWS; an extra one is a grant
 * nobody uses. Static analysis of the sources: no AWS, no Terraform, milliseconds.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from '@jest/globals';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const IAM_TF = join(ROOT, 'terraform/iam.tf');

/** Terraform's policy key for each function folder. */
const POLICY_KEYS: Record<string, string> = {
  ingest: 'ingest',
  split: 'split',
  'ctas-runner': 'ctas_runner',
  nightly: 'nightly',
  search: 'search',
  'dlq-sweeper': 'dlq_sweeper',
};

const IAM_PREFIX: Record<string, string> = {
  'client-s3': 's3',
  'client-sqs': 'sqs',
  'client-dynamodb': 'dynamodb',
  'lib-dynamodb': 'dynamodb',
  'client-firehose': 'firehose',
  'client-athena': 'athena',
  'client-glue': 'glue',
  'client-sfn': 'states',
  'client-ssm': 'ssm',
  'client-lambda': 'lambda',
  'client-cloudwatch': 'cloudwatch',
  'client-sns': 'sns',
};

/** Commands whose IAM action is not `<prefix>:<CommandName>`. */
const SPECIAL: Record<string, string[]> = {
  's3:ListObjectsV2': ['s3:ListBucket'],
  's3:ListObjects': ['s3:ListBucket'],
  's3:HeadObject': ['s3:GetObject'],
  's3:HeadBucket': ['s3:ListBucket'],
  's3:CopyObject': ['s3:GetObject', 's3:PutObject'],
  's3:DeleteObjects': ['s3:DeleteObject'],
  's3:CreateMultipartUpload': ['s3:PutObject'],
  's3:UploadPart': ['s3:PutObject'],
  's3:CompleteMultipartUpload': ['s3:PutObject'],
  'dynamodb:Get': ['dynamodb:GetItem'],
  'dynamodb:Put': ['dynamodb:PutItem'],
  'dynamodb:Update': ['dynamodb:UpdateItem'],
  'dynamodb:Delete': ['dynamodb:DeleteItem'],
  'dynamodb:BatchGet': ['dynamodb:BatchGetItem'],
  'dynamodb:BatchWrite': ['dynamodb:BatchWriteItem'],
  'dynamodb:TransactWrite': ['dynamodb:TransactWriteItems'],
  'dynamodb:TransactGet': ['dynamodb:TransactGetItems'],
};

/** Library entry points that call AWS for the code. */
const LIBRARIES: Array<{ pattern: RegExp; actions: string[] }> = [
  {
    // Powertools idempotency's DynamoDB persistence layer.
    pattern: /\bDynamoDBPersistenceLayer\b/,
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  },
  { pattern: /\bSSMProvider\b/, actions: ['ssm:GetParameter'] },
];

function read(file: string): string {
  return readFileSync(file, 'utf8');
}

/** Files reachable from `entry` through relative imports (tests excluded). */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = read(file);
    for (const match of text.matchAll(/(?:import|export)\s[^'";]*?from\s+'(\.{1,2}\/[^']+)'/g)) {
      const spec = match[1] as string;
      const base = resolve(dirname(file), spec.replace(/\.js$/, ''));
      for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
        if (existsSync(candidate) && !candidate.endsWith('.test.ts')) queue.push(candidate);
      }
    }
  }
  return [...seen];
}

/** `new XCommand(` in `text`, mapped to IAM actions through the file's @aws-sdk imports. */
function commandActions(text: string, fileText: string): string[] {
  const packageOf = new Map<string, string>();
  for (const m of fileText.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/([a-z0-9-]+)'/g)) {
    for (const name of (m[1] as string).split(',')) {
      const clean = name
        .replace(/\btype\b/, '')
        .split(/\s+as\s+/)[0]
        ?.trim();
      if (clean) packageOf.set(clean, m[2] as string);
    }
  }
  const actions: string[] = [];
  for (const m of text.matchAll(/new\s+([A-Z][A-Za-z0-9]*)Command\(/g)) {
    const name = m[1] as string;
    const pkg = packageOf.get(`${name}Command`);
    if (!pkg) throw new Error(`cannot tell which SDK ${name}Command comes from`);
    const prefix = IAM_PREFIX[pkg];
    if (!prefix) throw new Error(`no IAM prefix known for @aws-sdk/${pkg}`);
    const key = `${prefix}:${name}`;
    actions.push(...(SPECIAL[key] ?? [key]));
  }
  return actions;
}

/** An adapter class file split into its methods: name -> body text. */
function methods(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const pattern =
    /^ {2}(?! )(?:(?:public|private|protected|static|readonly)\s+)*(?:async\s+)?(?:\*\s*)?(?!(?:if|for|while|switch|return|catch|await)\b)([a-zA-Z_]\w*)\s*(?:<[^>]*>)?\(/gm;
  const starts = [...text.matchAll(pattern)];
  starts.forEach((m, i) => {
    const from = m.index ?? 0;
    const to = starts[i + 1]?.index ?? text.length;
    const name = m[1] as string;
    result.set(name, (result.get(name) ?? '') + text.slice(from, to));
  });
  return result;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What a function's code calls, as IAM actions, with the file that makes each call. Adapter
 * classes (shared/adapters/aws) count only for the methods the code calls on them, found through
 * the names their instances go by (`store: ObjectStore`, `const store = new S3ObjectStore(`,
 * `private readonly runner: AthenaRunner`) and `this.method(` calls inside the class.
 */
function codeActions(fn: string): Map<string, string> {
  const files = reachable(join(ROOT, 'functions', fn, 'handler.ts'));
  const texts = new Map(files.map((f) => [f, read(f)] as const));
  const all = [...texts.values()].join('\n');
  const isAdapter = (f: string) => f.includes(`${join('shared', 'adapters', 'aws')}/`);

  const found = new Map<string, string>();
  const add = (actions: string[], file: string) => {
    for (const a of actions) if (!found.has(a)) found.set(a, relative(ROOT, file));
  };

  for (const [file, text] of texts) {
    for (const lib of LIBRARIES) if (lib.pattern.test(text)) add(lib.actions, file);
    if (!isAdapter(file)) {
      add(commandActions(text, text), file);
      continue;
    }
    const body = methods(text);
    const called = new Set<string>(['constructor']);
    for (const cls of text.matchAll(
      /export class (\w+)(?:<[^>]*>)?(?:\s+implements\s+([\w\s,<>]+?))?\s*\{/g,
    )) {
      const types = [
        cls[1] as string,
        ...(cls[2] ?? '').split(',').map((t) => t.replace(/<.*$/, '').trim()),
      ].filter((t) => t !== '');
      const receivers = new Set<string>();
      for (const t of types) {
        const typed = new RegExp(`(\\w+)\\??\\s*:\\s*(?:Readonly<)?${escapeRegExp(t)}\\b`, 'g');
        for (const m of all.matchAll(typed)) receivers.add(m[1] as string);
        const created = new RegExp(`(?:const|let)\\s+(\\w+)\\s*=\\s*new\\s+${escapeRegExp(t)}\\(`, 'g');
        for (const m of all.matchAll(created)) receivers.add(m[1] as string);
      }
      for (const r of receivers) {
        for (const m of all.matchAll(new RegExp(`\\b${escapeRegExp(r)}\\??\\.(\\w+)\\(`, 'g')))
          called.add(m[1] as string);
      }
    }
    // Methods the called ones call on `this`.
    let grew = true;
    while (grew) {
      grew = false;
      for (const name of [...called]) {
        for (const m of (body.get(name) ?? '').matchAll(/this\.(\w+)\(/g)) {
          if (!called.has(m[1] as string)) {
            called.add(m[1] as string);
            grew = true;
          }
        }
      }
    }
    for (const [name, text2] of body) if (called.has(name)) add(commandActions(text2, text), file);
  }
  return found;
}

/** Text of the `{ ... }` or `[ ... ]` block opening at `open`. */
function block(text: string, open: number): string {
  const opener = text[open];
  const closer = opener === '{' ? '}' : ']';
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === opener) depth++;
    else if (c === closer && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error('unbalanced block');
}

function namedBlock(text: string, name: string): string {
  const m = new RegExp(`^\\s*${name}\\s*=\\s*([\\[{])`, 'm').exec(text);
  if (!m) throw new Error(`${name} not found in iam.tf`);
  return block(text, (m.index ?? 0) + m[0].length - 1);
}

/** The actions of every `Action = [...]` (or `Action = "..."`) in an HCL fragment. */
function actionsIn(hcl: string): Set<string> {
  const out = new Set<string>();
  for (const m of hcl.matchAll(/\bAction\s*=\s*(\[[^\]]*\]|"[^"]*")/g)) {
    for (const a of (m[1] as string).matchAll(/"([a-z0-9-]+:[A-Za-z*]+)"/g)) out.add(a[1] as string);
  }
  return out;
}

/** Each function's policy actions, from terraform/iam.tf. */
function policyActions(): Map<string, Set<string>> {
  const tf = read(IAM_TF);
  const policies = namedBlock(tf, 'policies');
  const shared: Record<string, Set<string>> = {
    'local.kms_statement': actionsIn(namedBlock(tf, 'kms_statement')),
    'local.athena_results_statements': actionsIn(namedBlock(tf, 'athena_results_statements')),
  };
  const result = new Map<string, Set<string>>();
  for (const key of Object.values(POLICY_KEYS)) {
    const body = namedBlock(policies.slice(1), key);
    const actions = actionsIn(body);
    for (const [ref, set] of Object.entries(shared))
      if (body.includes(ref)) for (const a of set) actions.add(a);
    result.set(key, actions);
  }
  return result;
}

/** What AWS services call with the function's credentials on its behalf. */
function implied(fn: string, code: Set<string>): Set<string> {
  const out = new Set<string>();
  const uses = (prefix: string) => [...code].some((a) => a.startsWith(prefix));
  if (uses('s3:') || uses('ssm:GetParameter'))
    for (const a of ['kms:Decrypt', 'kms:GenerateDataKey']) out.add(a);
  if (code.has('athena:StartQueryExecution')) {
    // Athena reads the catalog and the data, and writes the results, as the caller.
    for (const a of [
      'glue:GetDatabase',
      'glue:GetTable',
      's3:GetBucketLocation',
      's3:ListBucket',
      's3:ListBucketMultipartUploads',
      's3:ListMultipartUploadParts',
      's3:GetObject',
      's3:PutObject',
      's3:AbortMultipartUpload',
    ])
      out.add(a);
    const sql = reachable(join(ROOT, 'functions', fn, 'handler.ts'))
      .map(read)
      .join('\n');
    if (/CREATE TABLE/.test(sql)) out.add('glue:CreateTable');
    if (/DROP TABLE/.test(sql)) out.add('glue:DeleteTable');
  }
  return out;
}

/**
 * Calls the import graph reaches but the function never makes (the analysis follows modules,
 * not call paths). Each entry says why; keep this list short and re-check it when code moves.
 */
const NOT_CALLED: Record<string, { actions: string[]; why: string }> = {};

const functionsWithHandlers = readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, 'functions', d.name, 'handler.ts')))
  .map((d) => d.name)
  .sort();

describe('IAM policies match the SDK calls of the code', () => {
  const policies = policyActions();

  test('every function with a handler has a policy in terraform/iam.tf', () => {
    expect(functionsWithHandlers.filter((fn) => POLICY_KEYS[fn] === undefined)).toEqual([]);
  });

  for (const fn of functionsWithHandlers) {
    const key = POLICY_KEYS[fn];
    if (key === undefined) continue;

    test(`${fn}: the policy allows every call the code makes`, () => {
      const code = codeActions(fn);
      for (const a of NOT_CALLED[fn]?.actions ?? []) code.delete(a);
      const policy = policies.get(key) ?? new Set<string>();
      const missing = [...code.entries()]
        .filter(([a]) => !policy.has(a))
        .map(([a, file]) => `${a} (${file})`);
      expect(missing).toEqual([]);
    });

    test(`${fn}: the policy allows nothing the code does not call`, () => {
      const code = new Set(codeActions(fn).keys());
      const extra = implied(fn, code);
      const policy = policies.get(key) ?? new Set<string>();
      const unused = [...policy].filter((a) => !code.has(a) && !extra.has(a)).sort();
      expect(unused).toEqual([]);
    });
  }
});
