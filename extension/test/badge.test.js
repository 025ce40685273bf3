import assert from "node:assert/strict";
import { test } from "node:test";

import { badgeFor, SITE_STATES, siteState } from "../lib/badge.js";

const entry = { last_change_id: 12, last_material_change_id: 9 };

test("no site, untracked, tracked", () => {
  assert.equal(siteState({ site: null }), "none");
  assert.equal(siteState({ site: "example.com", entry: null }), "untracked");
  assert.equal(siteState({ site: "example.com", entry, seenId: 12 }), "tracked");
  // First sight: nothing is "since you last looked" yet.
  assert.equal(siteState({ site: "example.com", entry, seenId: undefined }), "tracked");
});

test("changes since the person last looked", () => {
  assert.equal(siteState({ site: "example.com", entry, seenId: 10 }), "changed");
  assert.equal(siteState({ site: "example.com", entry, seenId: 8 }), "material");
  assert.equal(
    siteState({ site: "example.com", entry: { last_change_id: null, last_material_change_id: null }, seenId: 0 }),
    "tracked",
  );
});

test("every state has a badge; text only where there is news or a tracked policy", () => {
  for (const state of SITE_STATES) assert.ok(badgeFor(state).titleKey);
  assert.equal(badgeFor("untracked").textKey, null);
  assert.equal(badgeFor("material").textKey, "badgeTextMaterial");
  assert.notEqual(badgeFor("material").color, badgeFor("changed").color);
  assert.throws(() => badgeFor("bogus"), /unknown site state/);
});

test("first sight: a material change of the last 90 days is news, an older one is not", async () => {
  const { firstSightMark, RECENT_MATERIAL_DAYS } = await import("../lib/badge.js");
  assert.equal(RECENT_MATERIAL_DAYS, 90);
  const now = Date.parse("2026-12-07T00:00:00Z");
  const recent = {
    last_change_id: 30,
    last_change: "2026-12-01T00:00:00Z",
    last_material_change_id: 28,
    last_material_change: "2026-11-30T00:00:00Z", // when the policy changed
  };
  const mark = firstSightMark(recent, now);
  assert.equal(mark, 27);
  assert.equal(siteState({ site: "shop.example", entry: recent, seenId: mark }), "material");
  const old = { ...recent, last_material_change: "2026-08-01T00:00:00Z" };
  assert.equal(firstSightMark(old, now), 30);
  assert.equal(siteState({ site: "shop.example", entry: old, seenId: 30 }), "tracked");
  const none = { last_change_id: 5, last_change: "2026-12-01T00:00:00Z", last_material_change_id: null };
  assert.equal(firstSightMark(none, now), 5);
  assert.equal(badgeFor("unconfigured").textKey, null);
});
