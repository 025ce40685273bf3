// Pure: the public change feed, filtered against this person's watches and options.
// The server sends every change of the requested buckets (1/256 of sites each); which of
// them concern this person is decided here, in the browser.

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
  return [...new Set(Object.values(watches).map((w) => w.hash.slice(0, 2)))].sort();
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
  const { id, site, site_hash, detected_at, to_captured_at, material, categories, summary, url } =
    change;
  return { id, site, site_hash, detected_at, to_captured_at, material, categories, summary, url };
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

/** Per watched site: how many changes the person wants to hear about are still unread. */
export function unreadCounts(inbox, watches, options, read = new Set()) {
  const counts = {};
  for (const site of Object.keys(watches)) {
    counts[site] = (inbox[site] ?? []).filter(
      (change) => matchesOptions(change, options) && !read.has(change.id),
    ).length;
  }
  return counts;
}

/** The last changes of one site among feed changes, newest first. */
export function changesOfSite(changes, siteHash, limit = 5) {
  return changes
    .filter((change) => change.site_hash === siteHash)
    .sort((a, b) => b.id - a.id)
    .slice(0, limit)
    .map(slim);
}
