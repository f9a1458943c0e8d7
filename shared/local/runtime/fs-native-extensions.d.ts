// fs-native-extensions ships no type declarations; this is the part the data-directory lock uses.
declare module 'fs-native-extensions' {
  interface LockOptions {
    /** A shared (read) lock instead of the default exclusive one. */
    shared?: boolean;
  }
  /** Linux: an open-file-description lock (F_OFD_SETLK); false when another description holds it. */
  export function tryLock(fd: number, options?: LockOptions): boolean;
  export function unlock(fd: number): void;
}
