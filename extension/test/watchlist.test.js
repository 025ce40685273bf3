import assert from "node:assert/strict";
import { test } from "node:test";

import { exportWatchlist, parseWatchlist, WatchlistError } from "../lib/watchlist.js";

test("export then import gives back the same sites", () => {
  const text = exportWatchlist({ "example.org": {}, "example.com": {} });
  assert.deepEqual(JSON.parse(text).sites, ["example.com", "example.org"]);
  assert.deepEqual(parseWatchlist(text), ["example.com", "example.org"]);
});

test("a bare list of sites or URLs is accepted and normalised", () => {
  assert.deepEqual(parseWatchlist('["Example.com", "https://www.example.co.uk/privacy", "example.com"]'), [
    "example.com",
    "example.co.uk",
  ]);
});

test("anything else is refused with one clear message", () => {
  assert.throws(() => parseWatchlist("{oops"), /not a JSON file/);
  assert.throws(() => parseWatchlist('{"sites": ["a.com"]}'), /not a Clausewatch watch list/);
  assert.throws(() => parseWatchlist('["example.com", 42]'), /not a web site: 42/);
  assert.throws(() => parseWatchlist('["localhost"]'), WatchlistError);
});
