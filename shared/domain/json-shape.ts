/**
 * Shape checks on parsed JSON that never recurse (a hostile body can nest a hundred thousand
 * levels deep; JSON.parse takes it, but any recursive walk, JSON.stringify included, overflows
 * the stack): how deep a value nests, and whether any of its strings is not valid Unicode.
 */

/** How deep `value` nests (a scalar is 0, `[]` and `{}` are 1), counting no further than `limit + 1`. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) stack.push([child, level]);
  }
  return deepest;
}

/** The first string (key or value) of `value` holding a lone surrogate, or null. */
export function illFormedString(value: unknown): string | null {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current === 'string') {
      if (!current.isWellFormed()) return current;
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (!key.isWellFormed()) return key;
        stack.push(child);
      }
    }
  }
  return null;
}
