import assert from "node:assert/strict";
import { test } from "node:test";

import { bucketHolds, bucketKey, bucketOf, lookupBucket, lookupPath, sha256Hex } from "../lib/hash.js";

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

test("only a few leading bits are derived for the network, the rest zeroed", async () => {
  const hash = await sha256Hex("example.com"); // a379a6f6…: 1010 0011 0111 1001 …
  assert.deepEqual(lookupBucket(hash), { hex: "a3", bits: 8 });
  assert.deepEqual(lookupBucket(hash, null), { hex: "a3", bits: 8 });
  assert.deepEqual(lookupBucket(hash, 12), { hex: "a37", bits: 12 });
  assert.deepEqual(lookupBucket(hash, 9), { hex: "a30", bits: 9 });
  assert.deepEqual(lookupBucket(hash, 11), { hex: "a36", bits: 11 });
  assert.deepEqual(lookupBucket(hash, 15), { hex: "a378", bits: 15 });
  assert.deepEqual(lookupBucket(hash, 3), { hex: "a", bits: 3 });
  assert.deepEqual(lookupBucket(hash, 1), { hex: "8", bits: 1 });
  // A server recommending more is not followed past 16 bits.
  assert.deepEqual(lookupBucket(hash, 17), { hex: "a379", bits: 16 });
  assert.deepEqual(lookupBucket(hash, 64), { hex: "a379", bits: 16 });
  assert.deepEqual(lookupBucket(hash, 0), { hex: "8", bits: 1 });
  assert.equal(bucketOf(hash), "a3");
});

test("a bucket has one URL: bits in the query only when they are not whole hex digits", () => {
  assert.equal(lookupPath({ hex: "a3", bits: 8 }), "/api/v1/lookup/a3");
  assert.equal(lookupPath({ hex: "a30", bits: 9 }), "/api/v1/lookup/a30?bits=9");
  assert.equal(lookupPath({ hex: "a378", bits: 15 }), "/api/v1/lookup/a378?bits=15");
  assert.equal(bucketKey({ hex: "a30", bits: 9 }), "a30?bits=9");
});

test("a cached bucket is known to hold a hash whatever width it was asked at", async () => {
  const hash = await sha256Hex("example.com");
  for (const key of ["a3", "a37", "a30?bits=9", "a378?bits=15", "8?bits=1", "a"]) {
    assert.ok(bucketHolds(key, hash), key);
  }
  for (const key of ["a4", "a38?bits=9", "0?bits=1", "b", "zz", ""]) {
    assert.ok(!bucketHolds(key, hash), key);
  }
});
