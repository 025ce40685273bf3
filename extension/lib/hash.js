// Site hashes, as the server computes them: lower-case hex sha256 of the site's UTF-8 bytes.
// Only prefixes of these ever leave the browser.

const encoder = new TextEncoder();

export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What the badge sends to learn a site's status: 5 hex digits, ~1 in a million sites. */
export function lookupPrefix(siteHash) {
  return siteHash.slice(0, 5);
}

/** The feed bucket of a site: 2 hex digits, one in 256. */
export function bucketOf(siteHash) {
  return siteHash.slice(0, 2);
}
