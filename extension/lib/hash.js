// Site hashes, as the server computes them: lower-case hex sha256 of the site's UTF-8 bytes.
// Only prefixes of these ever leave the browser.

const encoder = new TextEncoder();

export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// A prefix hides a site only among the tracked sites that share it. The server recommends
// a width in bits (its lookup answers carry `prefix_bits`: the longest prefix whose buckets
// still hold at least 20 tracked sites, so fewer than 40); we follow it, starting at 8 bits
// before it has said anything, but never past 16 bits: a server that recommends more (a
// mistaken or a curious one) learns no more than one site in 65,536 of the hash space. An
// honest server recommends 16 bits only past 1.3 million tracked sites. Only these leading
// bits of the hash ever leave the browser (as ceil(bits / 4) hex digits, the rest zeroed).
export const START_PREFIX_BITS = 8;
export const MIN_PREFIX_BITS = 1;
export const MAX_PREFIX_BITS = 16;

/** The width to ask with for the server's last recommendation (null: none yet). */
export function prefixBits(recommended) {
  if (!Number.isInteger(recommended)) return START_PREFIX_BITS;
  return Math.min(MAX_PREFIX_BITS, Math.max(MIN_PREFIX_BITS, recommended));
}

/**
 * The lookup bucket of a site: its hash's first `bits` bits, written as ceil(bits / 4) hex
 * digits with the bits past them zeroed, so every site of a bucket asks the same URL.
 */
export function lookupBucket(siteHash, bits = START_PREFIX_BITS) {
  const width = prefixBits(bits);
  const digits = Math.ceil(width / 4);
  const spare = 4 * digits - width;
  const value = (parseInt(siteHash.slice(0, digits), 16) >> spare) << spare;
  return { hex: value.toString(16).padStart(digits, "0"), bits: width };
}

/** The bucket's one URL path (docs/extension-api.md): `?bits=` only when not whole digits. */
export function lookupPath({ hex, bits }) {
  return `/api/v1/lookup/${hex}${bits % 4 ? `?bits=${bits}` : ""}`;
}

/** The key of a bucket in the lookup cache: its URL's tail ("a8" or "a8?bits=7"). */
export function bucketKey(bucket) {
  return lookupPath(bucket).slice("/api/v1/lookup/".length);
}

/** Whether a cached bucket (by its key) holds a site hash. */
export function bucketHolds(key, siteHash) {
  const match = /^([0-9a-f]{1,5})(?:\?bits=([0-9]+))?$/.exec(key);
  if (!match) return false;
  const bits = match[2] ? Number(match[2]) : 4 * match[1].length;
  return lookupBucket(siteHash, bits).hex === match[1];
}

/** Feed buckets are named by this many hex digits of the site hash (one in 256). */
export const BUCKET_LENGTH = 2;

/** The feed bucket of a site: 2 hex digits, one in 256. */
export function bucketOf(siteHash) {
  return siteHash.slice(0, BUCKET_LENGTH);
}
