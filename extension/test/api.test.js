import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, changesQuery, createApi, viewerUrl } from "../lib/api.js";
import { createFakeServer, siteHash } from "./support/fake-server.js";

function setup() {
  const server = createFakeServer();
  const api = createApi({ baseUrl: `${server.baseUrl}/`, fetch: server.fetch });
  return { server, api };
}

test("lookup by bucket, then a 304 when revalidated with the ETag", async () => {
  const { server, api } = setup();
  server.track("example.com");
  const hex = siteHash("example.com").slice(0, 4);
  const first = await api.lookup({ hex, bits: 16 });
  assert.equal(first.status, 200);
  assert.deepEqual(first.body.sites.map((s) => s.site_hash), [siteHash("example.com")]);
  const again = await api.lookup({ hex, bits: 16 }, { etag: first.etag });
  assert.equal(again.status, 304);
  assert.equal(server.log.at(-1).url, `${server.baseUrl}/api/v1/lookup/${hex}`);
});

test("a bucket of odd bits is asked at its one URL; anything else is refused unsent", async () => {
  const { server, api } = setup();
  server.track("example.com"); // a379…
  const answer = await api.lookup({ hex: "a30", bits: 9 });
  assert.deepEqual(answer.body.sites.map((s) => s.site_hash), [siteHash("example.com")]);
  assert.equal(answer.body.bits, 9);
  assert.equal(server.log.at(-1).url, `${server.baseUrl}/api/v1/lookup/a30?bits=9`);
  const sent = server.log.length;
  for (const bad of [
    "example.com",
    "a3",
    { hex: "a37", bits: 9 }, // bits past the 9th not zero
    { hex: "a3", bits: 9 }, // 9 bits take 3 digits
    { hex: "a379a", bits: 17 }, // past the extension's 16
    { hex: siteHash("example.com"), bits: 256 },
    { hex: "a3", bits: "8" },
  ]) {
    assert.throws(() => api.lookup(bad), ApiError, JSON.stringify(bad));
  }
  assert.equal(server.log.length, sent);
});

test("the feed is paged with the cursor until `more` is false", async () => {
  const { server, api } = setup();
  for (let i = 0; i < 5; i++) server.addChange("example.com");
  server.addChange("other.example");
  const bucket = siteHash("example.com").slice(0, 2);
  const result = await api.changesSince({ buckets: [bucket], limit: 2 });
  assert.notEqual(siteHash("other.example").slice(0, 2), bucket);
  assert.deepEqual(result.changes.map((c) => c.id), [1, 2, 3, 4, 5]);
  assert.equal(server.log.length, 3);
  assert.equal(result.more, false);
  assert.equal(result.notModified, undefined);
  // Every request named the bucket, never a site.
  for (const entry of server.log) {
    const { pathname, search } = new URL(entry.url);
    assert.match(search, new RegExp(`buckets=${bucket}`));
    assert.doesNotMatch(pathname + search, /example/);
  }
});

test("an unchanged feed answers 304 to the ETag of the cursor's URL", async () => {
  const { server, api } = setup();
  server.addChange("example.com");
  const buckets = [siteHash("example.com").slice(0, 2)];
  const first = await api.changesSince({ buckets });
  assert.equal(first.changes.length, 1);
  // The feed moved on: the ETag we got belongs to an older URL.
  assert.equal(first.etag, null);
  const second = await api.changesSince({ after: first.cursor, buckets });
  assert.equal(second.changes.length, 0);
  assert.ok(second.etag);
  const third = await api.changesSince({ after: second.cursor, buckets, etag: second.etag });
  assert.equal(third.notModified, true);
  assert.equal(server.log.at(-1).url.includes(`after=${first.cursor}`), true);
});

test("problem+json errors become one readable ApiError, with Retry-After", async () => {
  const { server, api } = setup();
  server.failNext(
    new Response(JSON.stringify({ type: "about:blank", title: "Too Many Requests", status: 429, detail: "slow down" }), {
      status: 429,
      headers: { "Content-Type": "application/problem+json", "Retry-After": "30" },
    }),
  );
  await assert.rejects(api.track("example.com"), (error) => {
    assert.equal(error.message, "Too Many Requests: slow down");
    assert.equal(error.status, 429);
    assert.equal(error.retryAfter, 30);
    return true;
  });
  server.failNext(new Response("<html>bad gateway</html>", { status: 502 }));
  await assert.rejects(api.track("example.com"), /server answered 502/);
  server.failNext(new Response("not json", { status: 200 }));
  await assert.rejects(api.lookup({ hex: "abcd", bits: 16 }), /not JSON/);
});

test("a server that does not answer times out through the AbortController", async () => {
  const hanging = (_url, init) =>
    new Promise((_resolve, reject) => {
      init.signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    });
  const api = createApi({ baseUrl: "https://cw.example.org", fetch: hanging, timeoutMs: 10 });
  await assert.rejects(api.lookup({ hex: "abcd", bits: 16 }), /did not answer/);
  const refusing = () => Promise.reject(new TypeError("fetch failed"));
  const down = createApi({ baseUrl: "https://cw.example.org", fetch: refusing });
  await assert.rejects(down.lookup({ hex: "abcd", bits: 16 }), /cannot reach the server/);
});

test("track names the site; site() reads it back or says null when untracked", async () => {
  const { server, api } = setup();
  assert.equal(await api.site("example.com"), null);
  const answer = await api.track("example.com");
  assert.deepEqual(answer, { site: "example.com", status_url: "/api/v1/sites/example.com", state: "pending", detail: null });
  assert.equal(server.log.at(-1).body, JSON.stringify({ site: "example.com" }));
  assert.equal((await api.site("example.com")).state, "pending");
});

test("viewer links and feed queries", () => {
  assert.equal(viewerUrl("http://127.0.0.1:8080/", "/sites/a.com/changes/4"), "http://127.0.0.1:8080/sites/a.com/changes/4");
  assert.equal(changesQuery({ buckets: ["ff", "0a"], limit: 5 }), "buckets=0a%2Cff&limit=5");
});
