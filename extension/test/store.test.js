import assert from "node:assert/strict";
import { test } from "node:test";

import { createStore, DEFAULT_OPTIONS, StoreError, validateOptions } from "../lib/store.js";
import { createFakeChrome } from "./support/fake-chrome.js";

function setup() {
  const { chrome } = createFakeChrome();
  return { chrome, store: createStore({ sync: chrome.storage.sync, local: chrome.storage.local }) };
}

test("options: defaults, then validated changes kept in sync storage", async () => {
  const { chrome, store } = setup();
  assert.deepEqual(await store.getOptions(), DEFAULT_OPTIONS);
  await store.setOptions({ serverUrl: "http://127.0.0.1:8080/", pollMinutes: 15, categories: ["user-choice"] });
  const stored = (await chrome.storage.sync.get("options")).options;
  assert.deepEqual(stored, {
    serverUrl: "http://127.0.0.1:8080",
    pollMinutes: 15,
    materialOnly: true,
    categories: ["user-choice"],
  });
});

test("bad options are refused with a message naming the field", () => {
  assert.throws(() => validateOptions({ serverUrl: "ftp://x.org" }), /https:\/\/ or http:\/\//);
  assert.throws(() => validateOptions({ serverUrl: "nope" }), /not a URL/);
  assert.throws(() => validateOptions({ pollMinutes: 0 }), /polling interval/);
  assert.throws(() => validateOptions({ pollMinutes: 2.5 }), StoreError);
  assert.throws(() => validateOptions({ categories: ["cookies"] }), /unknown category: cookies/);
});

test("watches live one item each in sync storage", async () => {
  const { chrome, store } = setup();
  await store.addWatch({ site: "example.com", hash: "a3", since: "2024-01-01T00:00:00Z", sinceId: 4 });
  await store.addWatch({ site: "example.org", hash: "b1", since: "2024-01-01T00:00:00Z", sinceId: 0 });
  assert.deepEqual(Object.keys(await store.getWatches()).sort(), ["example.com", "example.org"]);
  assert.ok((await chrome.storage.sync.get("watch:example.com"))["watch:example.com"]);
  await store.removeWatch("example.com");
  assert.deepEqual(Object.keys(await store.getWatches()), ["example.org"]);
  // Nothing about watches lands in local storage, which does not sync.
  assert.deepEqual(await chrome.storage.local.get(null), {});
});

test("a full sync storage gives a clear error before the browser's quota does", async () => {
  const { chrome, store } = setup();
  const many = Array.from({ length: 520 }, (_, i) => ({
    site: `site${i}.example`,
    hash: "ab".repeat(32),
    since: "2024-01-01T00:00:00Z",
    sinceId: 0,
  }));
  // 520 watches exceed sync storage's 512 items: the import is refused whole.
  await assert.rejects(store.addWatches(many), /synced storage is full/);
  assert.deepEqual(await store.getWatches(), {});
  assert.equal(await store.addWatches(many.slice(0, 300)), 300);
  assert.equal(await store.addWatches(many.slice(0, 300)), 0);
  await assert.rejects(store.addWatches(many.slice(300)), StoreError);
  assert.equal(chrome.storage.sync.writes, 1);
});

test("read ids and last-looked marks are bounded", async () => {
  const { store } = setup();
  await store.markRead([1, 2, 3]);
  await store.markRead([3, 4]);
  assert.deepEqual([...(await store.getRead())].sort(), [1, 2, 3, 4]);
  await store.setSeen("aa", 1);
  await store.setSeen("bb", 2);
  await store.setSeen("aa", 5);
  assert.deepEqual(await store.getSeen(), { bb: 2, aa: 5 });
});
