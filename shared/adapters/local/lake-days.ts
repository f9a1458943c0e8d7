/**
 * The objects of a tenant's day folders (`<area>/tenant_id=T/dt=D/`) for the days of a query:
 * one read of the tenant's folder, only the days in range opened, and those listed at once
 * (libuv's pool bounds how many file-system calls run together). Listing a year of day folders
 * one after another (a folder check, then a listing, then a stat per file) took 48.5 ms of a
 * 2-PC tenant's year question, this 19.5 ms (docs/search.md, "The plan").
 */
import type { ObjectInfo } from '../../ports/object-store.js';
import type { FileObjectStore } from './file-object-store.js';

export interface DayObjects {
  dt: string;
  /** The day's objects in key order; empty for a folder whose objects were all deleted. */
  objects: ObjectInfo[];
}

/** `prefix` is a tenant's folder of one area (`raw/tenant_id=T/`); days in [first, last]. */
export async function listDays(
  store: FileObjectStore,
  prefix: string,
  first: string,
  last: string,
): Promise<DayObjects[]> {
  const days = (await store.listFolderNames(prefix))
    .map((name) => /^dt=(\d{4}-\d{2}-\d{2})$/.exec(name)?.[1])
    .filter((dt): dt is string => dt !== undefined && dt >= first && dt <= last)
    .sort();
  return Promise.all(
    days.map(async (dt) => {
      const objects: ObjectInfo[] = [];
      for await (const object of store.list(`${prefix}dt=${dt}/`)) objects.push(object);
      return { dt, objects };
    }),
  );
}
