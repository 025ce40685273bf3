// Pointing the extension at a server: Firefox-proof permission patterns, the click rule.

import assert from "node:assert/strict";
import { test } from "node:test";

import { MAX_PREFIX_BITS } from "../lib/hash.js";
import { prefixBitsAtMost, privacyLines } from "../lib/privacy.js";
import { checkServerUrl, originPattern, requestServerPermission } from "../lib/server.js";
import { createFakeChrome } from "./support/fake-chrome.js";

test("permission patterns carry scheme and host, never a port (Firefox refuses ports)", () => {
  assert.equal(originPattern("http://127.0.0.1:8080"), "http://127.0.0.1/*");
  assert.equal(originPattern("https://cw.example.org:8443/base/"), "https://cw.example.org/*");
  assert.equal(originPattern("http://[::1]:8080"), "http://[::1]/*");
  assert.equal(originPattern("https://cw.example.org"), "https://cw.example.org/*");
});

test("a server URL is checked before anything is asked", () => {
  assert.equal(checkServerUrl(" http://127.0.0.1:8080/ "), "http://127.0.0.1:8080");
  assert.throws(() => checkServerUrl(""), /enter the URL/);
  assert.throws(() => checkServerUrl("ftp://x.org"), /https:\/\/ or http:\/\//);
});

test("the permission request is made at once, in the caller's turn, with the port-less pattern", () => {
  const calls = [];
  const permissions = {
    request(details) {
      calls.push(details);
      return Promise.resolve(true);
    },
    contains() {
      throw new Error("contains must not be awaited before request");
    },
  };
  const answer = requestServerPermission(permissions, "http://127.0.0.1:8080");
  // Synchronous: the request was made before this line, not after some await.
  assert.deepEqual(calls, [{ origins: ["http://127.0.0.1/*"] }]);
  assert.ok(answer instanceof Promise);
});

test("the privacy note states the most bits the code sends (16)", () => {
  const { chrome } = createFakeChrome();
  const t = (key, subs) => chrome.i18n.getMessage(key, subs);
  assert.equal(prefixBitsAtMost(), String(MAX_PREFIX_BITS));
  const lines = privacyLines(t);
  assert.match(lines.sent[0], /at most the first 16 bits of its name's SHA-256 hash/);
  assert.match(lines.sent[1], /1 of 256 buckets/);
  const all = [...lines.sent, ...lines.never].join(" ");
  assert.doesNotMatch(all, /5-digit|five/);
  assert.match(all, /Never sent: the sites you visit/);
});
