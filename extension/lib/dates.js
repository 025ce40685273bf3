// Pure: the one date a change carries and the one way dates are written.
//
// A change is dated by when the policy changed: its new text was first captured at
// `to_captured_at` (the old one last at `from_captured_at`), which for history recovered
// from the Wayback Machine is years before the server noticed (`detected_at`). Every date
// in the popup, the notifications and the options goes through formatDay/formatMoment,
// written the browser's way (its locale), never a format of our own.

/** When the policy changed: the capture that first showed the new text (ISO string). */
export function changedAt(change) {
  return change?.to_captured_at ?? change?.detected_at ?? null;
}

function parse(value) {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A day, e.g. "7 Dec 2026" (en-GB) or "Dec 7, 2026" (en-US); "" for no date. */
export function formatDay(value, locale = undefined) {
  const date = value === null || value === undefined ? null : parse(value);
  return date ? new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(date) : "";
}

/** A day and time (the last check of the feed), in the same date style. */
export function formatMoment(value, locale = undefined) {
  const date = value === null || value === undefined ? null : parse(value);
  return date
    ? new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date)
    : "";
}

/**
 * A change's date and, when the captures on either side are days apart, the interval in
 * which it happened: {day, from, to} with `from` null when the day is exact enough.
 */
export function changeDates(change, locale = undefined) {
  const to = changedAt(change);
  const day = formatDay(to, locale);
  const from = change?.from_captured_at ?? null;
  const fromDay = formatDay(from, locale);
  return { day, from: fromDay && fromDay !== day ? fromDay : null, to: day };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether `value` lies within the last `days` days before `now` (ms). */
export function withinDays(value, days, now) {
  const date = value === null || value === undefined ? null : parse(value);
  if (!date) return false;
  const age = now - date.getTime();
  return age <= days * DAY_MS;
}
