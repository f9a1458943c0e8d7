import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { frozen, int, json, list, optional, required } from './env.js';

describe('config readers', () => {
  it('reads required, optional, int, json and list values', () => {
    // Prepare
    const env = { A: ' a ', N: '42', J: '{"x":1}', L: 'one, two ,,three', BLANK: '  ' };
    // Act
    const values = {
      a: required(env, 'A'),
      missing: optional(env, 'NOPE'),
      blank: optional(env, 'BLANK', 'fallback'),
      n: int(env, 'N', { min: 1, max: 100 }),
      defaulted: int(env, 'NOPE', { fallback: 7 }),
      j: json(env, 'J', (v) => z.object({ x: z.number() }).parse(v), { x: 0 }),
      jDefault: json(env, 'NOPE', (v) => z.object({ x: z.number() }).parse(v), { x: 0 }),
      l: list(env, 'L'),
    };
    // Assess
    expect(values).toEqual({
      a: 'a',
      missing: undefined,
      blank: 'fallback',
      n: 42,
      defaulted: 7,
      j: { x: 1 },
      jDefault: { x: 0 },
      l: ['one', 'two', 'three'],
    });
  });

  it.each<[string, () => unknown, RegExp]>([
    ['a missing variable', () => required({}, 'OPLAKE_X'), /Environment variable OPLAKE_X is required/],
    ['a blank variable', () => required({ OPLAKE_X: ' ' }, 'OPLAKE_X'), /OPLAKE_X is required/],
    ['a non-integer', () => int({ N: '1.5' }, 'N'), /N must be an integer/],
    ['an integer out of range', () => int({ N: '0' }, 'N', { min: 1 }), /N must be between 1/],
    ['bad JSON', () => json({ J: '{' }, 'J', (v) => v, null), /J is not JSON/],
    [
      'JSON of the wrong shape',
      () => json({ J: '[]' }, 'J', (v) => z.object({}).parse(v), {}),
      /J is not valid/,
    ],
    ['an empty list', () => list({ L: ' , ' }, 'L'), /L lists nothing/],
  ])('fails loudly, naming the variable, on %s', (_name, read, message) => {
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(message);
  });

  it('freezes deeply', () => {
    const config = frozen({ a: { b: [1] } });
    expect(Object.isFrozen(config.a.b)).toBe(true);
  });
});
