import assert from "node:assert/strict";
import { test } from "node:test";

import {
  bucketsOf,
  changesOfSite,
  isNewForWatch,
  matchesOptions,
  mergeInbox,
  notificationsFor,
  unreadCounts,
} from "../lib/feed.js";
import { siteHash } from "./support/fake-server.js";

const A = "example.com";
const B = "example.org";
const watches = {
  [A]: { site: A, hash: siteHash(A), since: "2024-05-01T00:00:00Z", sinceId: 10 },
  [B]: { site: B, hash: siteHash(B), since: "2024-05-01T00:00:00Z", sinceId: 0 },
};

function change(id, site, fields = {}) {
  return {
    id,
    site,
    site_hash: siteHash(site),
    detected_at: "2024-06-01T00:00:00Z",
    to_captured_at: "2024-06-01T00:00:00Z",
    material: false,
    categories: [],
    summary: `change ${id}`,
    url: `/sites/${site}/changes/${id}`,
    ...fields,
  };
}

test("buckets are the 2-hex prefixes of watched sites only", () => {
  assert.deepEqual(bucketsOf(watches), [siteHash(A).slice(0, 2), siteHash(B).slice(0, 2)].sort());
  assert.deepEqual(bucketsOf({}), []);
});

test("a change is new for a watch only after its start, by id and by capture time", () => {
  assert.equal(isNewForWatch(change(10, A), watches[A]), false);
  assert.equal(isNewForWatch(change(11, A), watches[A]), true);
  // A freshly tracked site's backfill: detected now, captured years before the watch.
  const backfilled = change(3, B, { to_captured_at: "2019-01-01T00:00:00Z" });
  assert.equal(isNewForWatch(backfilled, watches[B]), false);
  // The server's clock may run a little behind the browser's.
  const skewed = change(4, B, { to_captured_at: "2024-04-30T23:30:00Z" });
  assert.equal(isNewForWatch(skewed, watches[B]), true);
});

test("options: material only, categories of interest", () => {
  const sale = change(1, A, { material: true, categories: ["third-party-sharing"] });
  const typo = change(2, A, { categories: ["other"] });
  assert.equal(matchesOptions(sale, { materialOnly: true, categories: [] }), true);
  assert.equal(matchesOptions(typo, { materialOnly: true, categories: [] }), false);
  assert.equal(matchesOptions(typo, { materialOnly: false, categories: [] }), true);
  assert.equal(matchesOptions(sale, { materialOnly: false, categories: ["data-retention"] }), false);
  assert.equal(matchesOptions(sale, { materialOnly: false, categories: ["third-party-sharing"] }), true);
});

test("notifications name the site and the reason, for watched sites and wanted changes", () => {
  const feed = [
    change(11, A, { material: true, summary: "adds sale of personal information" }),
    change(12, A, { material: false, summary: "fixes a typo" }),
    change(13, "unwatched.net", { material: true }),
    // Same site name but another hash: not what the person watches.
    { ...change(14, B, { material: true }), site_hash: "00".repeat(32) },
  ];
  const shown = notificationsFor(feed, watches, { materialOnly: true, categories: [] });
  assert.deepEqual(
    shown.map((n) => [n.notificationId, n.site, n.summary, n.material]),
    [["change-11", A, "adds sale of personal information", true]],
  );
  const all = notificationsFor(feed, watches, { materialOnly: false, categories: [] }, new Set([11]));
  assert.deepEqual(all.map((n) => n.changeId), [12]);
});

test("the inbox keeps watched sites' new changes, newest first, without duplicates", () => {
  const first = mergeInbox({}, [change(11, A), change(12, A), change(13, "unwatched.net")], watches);
  assert.deepEqual(first[A].map((c) => c.id), [12, 11]);
  assert.equal(first["unwatched.net"], undefined);
  const again = mergeInbox(first, [change(12, A), change(15, A)], watches);
  assert.deepEqual(again[A].map((c) => c.id), [15, 12, 11]);
  // Stopping a watch drops its inbox.
  assert.deepEqual(mergeInbox(again, [], { [B]: watches[B] }), {});
});

test("unread counts follow options and read state", () => {
  const inbox = mergeInbox({}, [change(11, A, { material: true }), change(12, A), change(13, B, { material: true })], watches);
  const options = { materialOnly: true, categories: [] };
  assert.deepEqual(unreadCounts(inbox, watches, options), { [A]: 1, [B]: 1 });
  assert.deepEqual(unreadCounts(inbox, watches, options, new Set([11])), { [A]: 0, [B]: 1 });
  assert.deepEqual(unreadCounts(inbox, watches, { materialOnly: false, categories: [] }), { [A]: 2, [B]: 1 });
});

test("the last changes of one site, newest first, capped", () => {
  const feed = [1, 2, 3, 4, 5, 6, 7].map((id) => change(id, id % 2 ? A : B));
  assert.deepEqual(changesOfSite(feed, siteHash(A), 3).map((c) => c.id), [7, 5, 3]);
});

test("one unread model: after Watch old changes are history, new ones unread until opened", async () => {
  const { isUnread, siteChanges } = await import("../lib/feed.js");
  const watch = { site: A, hash: siteHash(A), since: "2024-05-01T00:00:00Z", sinceId: 10 };
  const options = { materialOnly: false, categories: [] };
  const history = [
    change(3, A, { to_captured_at: "2019-01-01T00:00:00Z", detected_at: "2024-04-30T00:00:00Z" }),
    change(9, A, { material: true, to_captured_at: "2024-04-01T00:00:00Z" }),
  ];
  const fresh = [change(11, A, { material: true }), change(12, A)];
  const read = new Set();
  assert.equal(isUnread(history[1], watch, options, read), false);
  assert.equal(isUnread(fresh[0], watch, options, read), true);
  // The count beside the watched site and the tags in the list agree.
  const inbox = { [A]: [...fresh].reverse() };
  assert.deepEqual(unreadCounts(inbox, { [A]: watch }, options, read), { [A]: 2 });
  let list = siteChanges({ history, inbox: inbox[A], watch, options, read });
  assert.deepEqual(list.map((c) => [c.id, c.fresh]), [[12, true], [11, true], [9, false], [3, false]]);
  // Reading one change marks it read; the rest of the history stays in the list.
  read.add(11);
  list = siteChanges({ history, inbox: inbox[A], watch, options, read });
  assert.deepEqual(list.map((c) => [c.id, c.fresh]), [[12, true], [11, false], [9, false], [3, false]]);
  assert.deepEqual(unreadCounts(inbox, { [A]: watch }, options, read), { [A]: 1 });
  // "Material only" counts only material changes as unread, in the count and the tags.
  const materialOnly = { materialOnly: true, categories: [] };
  assert.deepEqual(unreadCounts(inbox, { [A]: watch }, materialOnly, new Set()), { [A]: 1 });
});

test("not watched: new means newer than the person's last look; newest by policy date", async () => {
  const { siteChanges } = await import("../lib/feed.js");
  const history = [
    change(4, A, { to_captured_at: "2020-01-01T00:00:00Z" }),
    change(5, A, { to_captured_at: "2018-01-01T00:00:00Z" }), // archive history found later
    change(6, A, { to_captured_at: "2024-01-01T00:00:00Z", material: true }),
  ];
  const list = siteChanges({ history, options: {}, seenId: 5 });
  assert.deepEqual(list.map((c) => [c.id, c.fresh]), [[6, true], [4, false], [5, false]]);
  assert.deepEqual(siteChanges({ history, options: {}, seenId: null }).map((c) => c.fresh), [false, false, false]);
  assert.equal(siteChanges({ history, options: {}, limit: 2 }).length, 2);
});
