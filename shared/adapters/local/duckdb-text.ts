/**
 * Strings out of DuckDB byte for byte. @duckdb/node-api decodes every VARCHAR with one shared
 * `new TextDecoder()`, whose default drops a leading U+FEFF: a title sent as "\uFEFF" or
 * "\uFEFFabc" came back from search without it (found by the Big List of Naughty Strings test,
 * test/security/ingest-fuzz.test.ts). Importing this module swaps that decoder for one that keeps
 * the BOM; the library looks the decoder up on its module object at every call.
 */
import { TextDecoder } from 'node:util';
import dataAccessors from '@duckdb/node-api/lib/vectors/dataAccessors.js';

/** The part of the library's decoder this module relies on (its type differs with the DOM lib). */
interface Decoder {
  decode(input: Uint8Array): string;
  readonly ignoreBOM: boolean;
}

const accessors: { textDecoder: Decoder } = dataAccessors;
if (!(accessors.textDecoder instanceof TextDecoder))
  throw new Error(
    '@duckdb/node-api changed: lib/vectors/dataAccessors.js has no textDecoder (see duckdb-text.ts)',
  );
if (!accessors.textDecoder.ignoreBOM) accessors.textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
