// Pure: the public change feed, filtered against this person's watches and options.
// The server sends every change of the requested buckets (1/256 of sites each); which of
// them concern this person is decided here, in the browser.

import { bucketOf } from "./hash.js";

// The server's list (monitor/classify/categories.py); tests/test_categories.py holds them equal.
export const CATEGORIES = Object.freeze([
  "first-party-collection",
  "third-party-sharing",
  "user-choice",
  "user-access",
  "data-retention",
  "data-security",
  "policy-change",
  "do-not-track",
  "specific-audiences",
  "other",
]);

const INBOX_PER_SITE = 20;
// Capture times are the server's clock, watch starts the browser's: allow for skew.
const CLOCK_SKEW_MS = 60 * 60 * 1000;

/** The 2-hex feed buckets to ask for: those of watched sites, and no others. */
export function bucketsOf(watches) {
  return [...new Set(Object.values(watches).map((w) => bucketOf(w.hash)))].sort();
}

function watchOf(change, watches) {
  const watch = watches[change.site];
  return watch && watch.hash === change.site_hash ? watch : null;
}

/**
 * Whether a change happened after the person started watching. Change ids are compared
 * with the last id the server reported at that moment; capture times keep a backfill of a
 * newly tracked site's old history (captured long ago, detected now) out of the alerts.
 */
export function isNewForWatch(change, watch) {
  if (change.id <= (watch.sinceId ?? 0)) return false;
  const captured = Date.parse(change.to_captured_at ?? change.detected_at);
  const since = Date.parse(watch.since);
  return Number.isNaN(captured) || Number.isNaN(since) || captured >= since - CLOCK_SKEW_MS;
}

/** Whether a change is one the person asked to hear about (material only? categories?). */
export function matchesOptions(change, options) {
  if (options.materialOnly && !change.material) return false;
  if (!options.categories?.length) return true;
  return (change.categories ?? []).some((c) => options.categories.includes(c));
}

/** Inbox (site -> changes newest first) with the feed's changes of watched sites added. */
export function mergeInbox(inbox, changes, watches) {
  const next = {};
  for (const [site, list] of Object.entries(inbox)) {
    if (watches[site]) next[site] = [...list];
  }
  for (const change of changes) {
    const watch = watchOf(change, watches);
    if (!watch || !isNewForWatch(change, watch)) continue;
    const list = next[change.site] ?? [];
    if (!list.some((c) => c.id === change.id)) list.push(slim(change));
    next[change.site] = list;
  }
  for (const site of Object.keys(next)) {
    next[site] = next[site].sort((a, b) => b.id - a.id).slice(0, INBOX_PER_SITE);
  }
  return next;
}

function slim(change) {
  // What the popup and notifications need; storage.local is not unlimited either.
  const { id, site, site_hash, detected_at, from_captured_at, to_captured_at } = change;
  const { material, categories, summary, url } = change;
  return {
    id,
    site,
    site_hash,
    detected_at,
    from_captured_at,
    to_captured_at,
    material,
    categories,
    summary,
    url,
  };
}

/** The notifications to show for a batch of feed changes, oldest first. */
export function notificationsFor(changes, watches, options, read = new Set()) {
  return changes
    .filter((change) => {
      const watch = watchOf(change, watches);
      return watch && isNewForWatch(change, watch) && matchesOptions(change, options);
    })
    .filter((change) => !read.has(change.id))
    .map((change) => ({
      notificationId: `change-${change.id}`,
      changeId: change.id,
      site: change.site,
      material: Boolean(change.material),
      summary: change.summary || "",
      url: change.url,
    }));
}

/**
 * The one unread model: a change of a watched site is unread when it happened after the
 * watch started (isNewForWatch), is of a kind the person asked to hear about (options),
 * and they have not opened it yet (from the popup or a notification). Older history of
 * the site is shown, but is not unread.
 */
export function isUnread(change, watch, options, read = new Set()) {
  return (
    Boolean(watch) &&
    isNewForWatch(change, watch) &&
    matchesOptions(change, options) &&
    !read.has(change.id)
  );
}

/** Per watched site: how many of its changes are unread (the count beside it). */
export function unreadCounts(inbox, watches, options, read = new Set()) {
  const counts = {};
  for (const [site, watch] of Object.entries(watches)) {
    counts[site] = (inbox[site] ?? []).filter((c) => isUnread(c, watch, options, read)).length;
  }
  return counts;
}

/**
 * What the popup lists for a site: its public history and the changes that reached the
 * inbox, one entry per change, newest (by when the policy changed) first, each marked
 * `fresh`: unread for a watched site, newer than the "last looked" mark otherwise.
 * Reading a change marks it, it never takes the rest of the history away.
 */
export function siteChanges({
  history = [],
  inbox = [],
  watch = null,
  options,
  read = new Set(),
  seenId = null,
  limit = 5,
}) {
  const byId = new Map();
  for (const change of [...history, ...inbox]) byId.set(change.id, slim(change));
  const when = (c) => Date.parse(c.to_captured_at ?? c.detected_at) || 0;
  return [...byId.values()]
    .sort((a, b) => when(b) - when(a) || b.id - a.id)
    .slice(0, limit)
    .map((change) => ({
      ...change,
      fresh: watch
        ? isUnread(change, watch, options, read)
        : seenId !== null && seenId !== undefined && change.id > seenId,
    }));
}

/** The last changes of one site among feed changes, newest first. */
export function changesOfSite(changes, siteHash, limit = 5) {
  return changes
    .filter((change) => change.site_hash === siteHash)
    .sort((a, b) => b.id - a.id)
    .slice(0, limit)
    .map(slim);
}
