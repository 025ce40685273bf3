// Pure: what the toolbar badge says about the current site. Strings are message keys of
// _locales, resolved by the caller.

import { withinDays } from "./dates.js";

export const SITE_STATES = Object.freeze([
  "unconfigured",
  "none",
  "untracked",
  "tracked",
  "changed",
  "material",
]);

// A material change this recent is news to someone who never looked at the site before.
export const RECENT_MATERIAL_DAYS = 90;

const BADGES = Object.freeze({
  unconfigured: { textKey: null, color: "#5f6368", titleKey: "badgeTitleUnconfigured" },
  none: { textKey: null, color: "#5f6368", titleKey: "badgeTitleNone" },
  untracked: { textKey: null, color: "#5f6368", titleKey: "badgeTitleUntracked" },
  tracked: { textKey: "badgeTextTracked", color: "#1e7d32", titleKey: "badgeTitleTracked" },
  changed: { textKey: "badgeTextChanged", color: "#1a5fb4", titleKey: "badgeTitleChanged" },
  material: { textKey: "badgeTextMaterial", color: "#c5221f", titleKey: "badgeTitleMaterial" },
});

/**
 * The "last looked" mark to record when a tracked site is seen for the first time: the
 * site's last change, so old history is not news — except that a material change from the
 * last RECENT_MATERIAL_DAYS (dated by when the policy changed) stays above the mark and
 * shows as such until the person opens the popup on the site.
 */
export function firstSightMark(entry, now) {
  const last = entry?.last_change_id ?? 0;
  const material = entry?.last_material_change_id ?? null;
  if (material && withinDays(entry.last_material_change, RECENT_MATERIAL_DAYS, now)) {
    return Math.min(last, material - 1);
  }
  return last;
}

/**
 * The state of a site from its lookup entry (null: not tracked) and the last change id
 * the person has seen for it (its "last looked" mark, see firstSightMark).
 * `site` null means the tab shows no web site at all (a new tab, a file, an IP address).
 */
export function siteState({ site, entry, seenId }) {
  if (!site) return "none";
  if (!entry) return "untracked";
  if (seenId === null || seenId === undefined) return "tracked";
  if ((entry.last_material_change_id ?? 0) > seenId) return "material";
  if ((entry.last_change_id ?? 0) > seenId) return "changed";
  return "tracked";
}

/** Badge text key, colour and title key for a state. */
export function badgeFor(state) {
  const badge = BADGES[state];
  if (!badge) throw new Error(`unknown site state: ${state}`);
  return badge;
}
