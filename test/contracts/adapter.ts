import type { ObjectStore } from '../../shared/ports/object-store.js';

/** One adapter of a port under its contract suite. */
export interface AdapterUnderTest {
  name: string;
  /** A fresh, empty store, and how to dispose of it. */
  create(): Promise<{ store: ObjectStore; dispose(): Promise<void> }>;
}
