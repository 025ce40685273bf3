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
