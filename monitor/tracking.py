"""The tracking worker: sites people asked for (state ``pending``) become tracked sites.

For each pending site, in the order asked: find its policy by discovery when no document
was given, add that document, recover its history from the Wayback Machine (backfill),
then check it live once (a difference between the archive's last capture and that first
check is dated by both but is history, origin ``backfill``, never announced as news). The
site ends ``tracked``, or ``failed`` with a reason a person
can read (``state_detail``). Every step is idempotent (documents are unique, a backfill
resumes from stored progress), so a crash mid-way just means the next pass does the rest.
A backfill that fails costs the site its history, not its tracking: the reason is noted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.schedule import Monitor

log = logging.getLogger("clausewatch.tracking")

PENDING, TRACKED, FAILED = "pending", "tracked", "failed"


@dataclass
class TrackingReport:
    site: str
    state: str
    detail: str | None = None
    document_ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


async def _discover(monitor: Monitor, domain: str):
    if monitor.discover is not None:
        return await monitor.discover(domain)
    from monitor.discover import discover  # bound at call time, like the extractor

    return await discover(domain, monitor.fetcher)


async def track_site(monitor: Monitor, site: dict) -> TrackingReport:
    store = monitor.store
    report = TrackingReport(site=site["site"], state=FAILED)
    documents = store.documents_of_site(site["id"])
    if not documents:
        try:
            found = await _discover(monitor, site["site"])
        except ValueError as exc:  # not a domain (DomainError)
            report.detail = f"not a domain: {exc}"
            return report
        if not found.url:
            notes = "; ".join(found.notes[-2:]) if found.notes else "no candidate"
            report.detail = f"no privacy policy found ({notes})"
            return report
        report.notes.append(f"discovered {found.url}")
        documents = [store.add_document(site["id"], found.url)]
    checked_ok = False
    for document in documents:
        report.document_ids.append(document["id"])
        if monitor.backfill is not None:
            try:
                await monitor.backfill(document)
            except Exception as exc:  # the archive being away is no reason to refuse a site
                log.warning("backfill of %s failed: %s", document["url"], exc)
                report.notes.append(f"history not recovered ({type(exc).__name__}: {exc})")
        # What differs between the archive's last capture and the page today changed at
        # some unknown time in between: history to show, not news to announce.
        result = await monitor.check(
            store.get_document(document["id"]), now=monitor.clock(), force=True, origin="backfill"
        )
        if result is not None and result.version_id is not None:
            checked_ok = True
        elif result is not None:
            report.notes.append(f"{document['url']}: {result.describe()}")
    if checked_ok:
        report.state, report.detail = TRACKED, "; ".join(report.notes) or None
    else:
        report.detail = "; ".join(report.notes) or "no document could be checked"
    return report


async def track_pending_sites(monitor: Monitor) -> list[TrackingReport]:
    """Bring every pending site to tracked or failed; their reports."""
    reports = []
    for site in monitor.store.sites_in_state(PENDING):
        try:
            report = await track_site(monitor, site)
        except Exception as exc:  # one site's surprise must not stall the others
            log.exception("tracking %s failed", site["site"])
            report = TrackingReport(
                site=site["site"], state=FAILED, detail=f"internal error: {exc}"
            )
        monitor.store.set_site_state(site["id"], report.state, report.detail)
        reports.append(report)
    return reports
