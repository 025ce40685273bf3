import assert from "node:assert/strict";
import { test } from "node:test";

import { bucketOf, lookupPrefix, sha256Hex } from "../lib/hash.js";

test("sha256 hex of a site matches the server's definition", async () => {
  // python3 -c "import hashlib; print(hashlib.sha256(b'example.com').hexdigest())"
  assert.equal(
    await sha256Hex("example.com"),
    "a379a6f6eeafb9a55e378c118034e2751e682fab9f2d30ab13d2125586ce1947",
  );
  assert.equal(
    await sha256Hex("xn--bcher-kva.de"),
    "dfb7cbaef73d9812c9dbc0ac8e31ec5c7fb2cde25504c29588ea2327712b2db5",
  );
});

test("only short prefixes are derived for the network", async () => {
  const hash = await sha256Hex("example.com");
  assert.equal(lookupPrefix(hash), "a3");
  assert.equal(lookupPrefix(hash, 3), "a37");
  // A server recommending a longer prefix is not followed past 3 digits.
  assert.equal(lookupPrefix(hash, 5), "a37");
  assert.equal(lookupPrefix(hash, null), "a3");
  assert.equal(bucketOf(hash), "a3");
});
