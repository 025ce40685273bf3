// The privacy note, written from the constants that decide what leaves the browser, so the
// words cannot drift from the code (they once promised a 5-digit prefix while 2–3 went).

import { BUCKET_LENGTH, MAX_PREFIX_BITS } from "./hash.js";

/** The most bits of a site's hash a lookup ever sends, whatever the server says. */
export function prefixBitsAtMost() {
  return String(MAX_PREFIX_BITS);
}

/** Hash buckets of the change feed: 16 ** bucket digits (256). */
export function bucketCount() {
  return 16 ** BUCKET_LENGTH;
}

/** The privacy lines, localised through `t`: what is sent, and what never is. */
export function privacyLines(t) {
  return {
    sent: [
      t("privacySentLookup", [prefixBitsAtMost()]),
      t("privacySentFeed", [String(bucketCount())]),
      t("privacySentTrack"),
    ],
    never: [t("privacyNeverVisits"), t("privacyNeverWatches")],
  };
}

/** Fills `container` with the note: a "Sent" list and a "Never sent" list. */
export function renderPrivacy(container, t) {
  const doc = container.ownerDocument;
  const lines = privacyLines(t);
  const list = (headingKey, items, className) => {
    const heading = doc.createElement("h3");
    heading.textContent = t(headingKey);
    const ul = doc.createElement("ul");
    ul.className = className;
    for (const text of items) {
      const li = doc.createElement("li");
      li.textContent = text;
      ul.append(li);
    }
    return [heading, ul];
  };
  container.replaceChildren(
    ...list("privacySentHeading", lines.sent, "privacy-sent"),
    ...list("privacyNeverHeading", lines.never, "privacy-never"),
  );
}
