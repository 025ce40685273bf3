// Pure: what the toolbar badge says about the current site. Strings are message keys of
// _locales, resolved by the caller.

export const SITE_STATES = Object.freeze(["none", "untracked", "tracked", "changed", "material"]);

const BADGES = Object.freeze({
  none: { textKey: null, color: "#5f6368", titleKey: "badgeTitleNone" },
  untracked: { textKey: null, color: "#5f6368", titleKey: "badgeTitleUntracked" },
  tracked: { textKey: "badgeTextTracked", color: "#1e7d32", titleKey: "badgeTitleTracked" },
  changed: { textKey: "badgeTextChanged", color: "#1a5fb4", titleKey: "badgeTitleChanged" },
  material: { textKey: "badgeTextMaterial", color: "#c5221f", titleKey: "badgeTitleMaterial" },
});

/**
 * The state of a site from its lookup entry (null: not tracked) and the last change id
 * the person has seen for it (null: never looked; the caller then records a baseline).
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
