/**
 * Decoding what a client put in a path. `decodeURIComponent` throws URIError on a malformed
 * percent-encoding (`%E0%A4%A`, `%zz`, an encoded lone surrogate): a segment that does not decode
 * names nothing, so callers answer it as they answer an unknown name (404 for a query id, 400 for
 * a tenant id), never a 500 (docs/security.md T6).
 */

/** The segment percent-decoded, or null when it is not a valid percent-encoding of UTF-8. */
export function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    if (error instanceof URIError) return null;
    throw error;
  }
}
