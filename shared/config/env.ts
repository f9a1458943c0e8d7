/**
 * Typed readers for a composition root's environment. Each function's handler.ts reads its
 * settings once, at cold start, into a frozen object; nothing else reads `process.env`.
 * A missing or malformed variable fails loudly, naming the variable (ConfigError).
 */
import { ConfigError } from '../errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A variable that must be set and not blank. */
export function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`Environment variable ${name} is required`);
  }
  return value.trim();
}

/** A variable that may be absent (or blank): then `fallback`. */
export function optional(env: Env, name: string): string | undefined;
export function optional(env: Env, name: string, fallback: string): string;
export function optional(env: Env, name: string, fallback?: string): string | undefined {
  const value = env[name];
  if (value === undefined || value.trim() === '') return fallback;
  return value.trim();
}

/** An integer within [min, max]; absent means `fallback` (when given), else it is required. */
export function int(
  env: Env,
  name: string,
  options: { fallback?: number; min?: number; max?: number } = {},
): number {
  const text = options.fallback === undefined ? required(env, name) : optional(env, name);
  if (text === undefined) return options.fallback as number;
  if (!/^-?\d+$/.test(text))
    throw new ConfigError(`Environment variable ${name} must be an integer: ${text}`);
  const value = Number(text);
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  if (value < min || value > max) {
    throw new ConfigError(`Environment variable ${name} must be between ${min} and ${max}: ${value}`);
  }
  return value;
}

/**
 * A JSON variable checked by `parse` (e.g. a zod schema's `parse`); absent means `fallback`.
 * A parse or check failure becomes a ConfigError naming the variable.
 */
export function json<T>(env: Env, name: string, parse: (value: unknown) => T, fallback: T): T {
  const text = optional(env, name);
  if (text === undefined) return fallback;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Environment variable ${name} is not JSON: ${(error as Error).message}`);
  }
  try {
    return parse(value);
  } catch (error) {
    throw new ConfigError(`Environment variable ${name} is not valid: ${(error as Error).message}`);
  }
}

/** A comma-separated list of non-blank items; required (at least one item). */
export function list(env: Env, name: string): string[] {
  const items = required(env, name)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new ConfigError(`Environment variable ${name} lists nothing`);
  return items;
}

/** Deep-freezes a plain config object. */
export function frozen<T extends object>(value: T): Readonly<T> {
  for (const field of Object.values(value)) {
    if (field !== null && typeof field === 'object' && !Object.isFrozen(field)) frozen(field as object);
  }
  return Object.freeze(value);
}
