/**
 * S3 lifecycle expiration (rules by age), modelled over any ObjectStore so local mode and tests see
 * what the deployed lifecycle rules (terraform/main.tf, lake bucket) would remove. S3 adds the rule's
 * days to an object's creation time (its LastModified: an overwrite starts the count again) and
 * rounds up to the next midnight UTC; from then on the object is eligible and S3 removes it some
 * time later (Amazon S3 user guide, "Lifecycle configuration elements"). The model removes it at the
 * first moment it is eligible, the earliest S3 may. Local objects carry the injected clock's time
 * when the FileObjectStore has one (FileObjectStoreOptions.clock).
 */
import type { ObjectStore } from '../../ports/object-store.js';

export interface ExpirationRule {
  prefix: string;
  expirationDays: number;
}

const DAY_MS = 86_400_000;

/** When an object created at `created` becomes eligible for expiration after `days` days. */
export function expirationTime(created: Date, days: number): Date {
  const due = created.getTime() + days * DAY_MS;
  return new Date(Math.ceil(due / DAY_MS) * DAY_MS);
}

/** Removes every object a rule has made eligible by `now`; answers the keys removed, in key order. */
export async function expireObjects(
  store: ObjectStore,
  rules: readonly ExpirationRule[],
  now: Date,
): Promise<string[]> {
  const expired: string[] = [];
  for (const rule of rules) {
    for await (const object of store.list(rule.prefix)) {
      if (expirationTime(object.lastModified, rule.expirationDays).getTime() <= now.getTime())
        expired.push(object.key);
    }
  }
  await store.delete(expired);
  return expired.sort();
}
