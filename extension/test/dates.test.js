// One date per change (when the policy changed), one locale-aware format.

import assert from "node:assert/strict";
import { test } from "node:test";

import { changeDates, changedAt, formatDay, formatMoment, withinDays } from "../lib/dates.js";

const ARCHIVED = {
  id: 7,
  detected_at: "2026-12-07T06:00:00Z", // found today, while reading the archive
  from_captured_at: "2019-03-01T10:00:00Z",
  to_captured_at: "2019-03-09T10:00:00Z", // when the new text was first captured
};

test("a change is dated by when the policy changed, not when the server noticed", () => {
  assert.equal(changedAt(ARCHIVED), "2019-03-09T10:00:00Z");
  assert.equal(changedAt({ detected_at: "2026-01-01T00:00:00Z" }), "2026-01-01T00:00:00Z");
  assert.equal(changedAt(null), null);
});

test("dates are written in the browser's locale, one style everywhere", () => {
  assert.equal(formatDay("2019-03-09T10:00:00Z", "en-US"), "Mar 9, 2019");
  assert.equal(formatDay("2019-03-09T10:00:00Z", "en-GB"), "9 Mar 2019");
  assert.equal(formatDay("2019-03-09T10:00:00Z", "de-DE"), "09.03.2019");
  assert.equal(formatDay(null, "en-US"), "");
  assert.equal(formatDay("not a date", "en-US"), "");
  // The last check is the same date style with a time.
  assert.match(formatMoment(Date.UTC(2026, 11, 7, 12, 30), "en-GB"), /^7 Dec 2026, \d\d:\d\d$/);
});

test("the interval between the captures on either side is given when days apart", () => {
  assert.deepEqual(changeDates(ARCHIVED, "en-GB"), { day: "9 Mar 2019", from: "1 Mar 2019", to: "9 Mar 2019" });
  const sameDay = { ...ARCHIVED, from_captured_at: "2019-03-09T01:00:00Z" };
  assert.equal(changeDates(sameDay, "en-GB").from, null);
  assert.equal(changeDates({ detected_at: "2020-01-02T00:00:00Z" }, "en-GB").day, "2 Jan 2020");
});

test("withinDays counts back from an injected now", () => {
  const now = Date.parse("2026-12-07T00:00:00Z");
  assert.equal(withinDays("2026-09-08T00:00:00Z", 90, now), true);
  assert.equal(withinDays("2026-09-07T23:59:00Z", 90, now), false);
  assert.equal(withinDays(null, 90, now), false);
});
