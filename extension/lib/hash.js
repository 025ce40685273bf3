// Site hashes, as the server computes them: lower-case hex sha256 of the site's UTF-8 bytes.
// Only prefixes of these ever leave the browser.

const encoder = new TextEncoder();

export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// A prefix hides a site only among the tracked sites that share it. The server recommends
// a length (its lookup answers carry `prefix_length`: about 20 tracked sites a prefix); we
// follow it but never go past 3 hex digits, so even a server that recommends more learns no
// more than one site in 4,096 — and start at 2 before it has said anything.
export const MIN_PREFIX_LENGTH = 2;
export const MAX_PREFIX_LENGTH = 3;

/** What the badge sends to learn a site's status: the first 2 or 3 hex digits. */
export function lookupPrefix(siteHash, length = MIN_PREFIX_LENGTH) {
  const n = Number.isInteger(length) ? length : MIN_PREFIX_LENGTH;
  return siteHash.slice(0, Math.min(MAX_PREFIX_LENGTH, Math.max(MIN_PREFIX_LENGTH, n)));
}

/** Feed buckets are named by this many hex digits of the site hash (one in 256). */
export const BUCKET_LENGTH = 2;

/** The feed bucket of a site: 2 hex digits, one in 256. */
export function bucketOf(siteHash) {
  return siteHash.slice(0, BUCKET_LENGTH);
}
