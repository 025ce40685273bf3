"""The tracking worker: sites people asked for (state ``pending``) become tracked sites.

For each pending site, in the order asked: admit the policy URLs people asked for once
discovery verifies each as the site's privacy policy (``verify_policy_url``; the others are
held for an operator, ``clausewatch requests``), find its policy by discovery when none was
admitted, add that document, recover its history from the Wayback Machine (backfill),
then check it live once (a difference between the archive's last capture and that first
check is dated by both but is history, origin ``backfill``, never announced as news). The
site ends ``tracked``, or ``failed`` with a reason a person
can read (``state_detail``). Every step is idempotent (documents are unique, a backfill
resumes from stored progress), so a crash mid-way just means the next pass does the rest.
A backfill that fails costs the site its history, not its tracking: the reason is noted.
URL requests for sites already tracked go the same way: verified, then backfilled and
checked once, so a page nobody verified is never checked, let alone announced.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from db.requests import OPEN, decide, requests_in
from db.rows import DocumentRow, SiteRow
from db.store import CHECKED_SITE_STATES

if TYPE_CHECKING:
    from monitor.discover import Discovery, Verification
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


async def _discover(monitor: Monitor, domain: str) -> Discovery:
    if monitor.discover is not None:
        found: Discovery = await monitor.discover(domain)
        return found
    from monitor.discover import discover  # bound at call time, like the extractor

    return await discover(domain, monitor.fetcher)


async def _verify(monitor: Monitor, url: str, site_id: int) -> Verification:
    from monitor.discover import verify_policy_url  # bound at call time, like discovery

    admitted = [d["url"] for d in monitor.store.documents_of_site(site_id)]
    return await verify_policy_url(url, monitor.fetcher, linking_pages=admitted)


async def admit_requests(
    monitor: Monitor, site: SiteRow, report: TrackingReport
) -> list[DocumentRow]:
    """Turn the site's open URL requests into documents when verified (or approved); hold
    the others for an operator (`clausewatch requests`). The documents admitted."""
    store = monitor.store
    admitted: list[DocumentRow] = []
    for request in requests_in(store, OPEN, site_id=site["id"]):
        if request["state"] == "approved":
            url, why = request["url"], request["reason"] or "approved by the operator"
        else:
            try:
                verification = await _verify(monitor, request["url"], site["id"])
            except Exception as exc:  # held, not retried on every run of the worker
                log.exception("verifying %s failed", request["url"])
                decide(store, request["id"], "held", f"verification failed ({exc})")
                continue
            if not verification.admitted:
                decide(store, request["id"], "held", verification.reason)
                report.notes.append(
                    f"{request['url']} held for the operator: {verification.reason}"
                )
                continue
            url, why = verification.final_url or request["url"], verification.reason
        known = {d["url"] for d in store.documents_of_site(site["id"])}
        with store.write():
            document = store.add_document(site["id"], url)
            decide(store, request["id"], "admitted", why, document_id=document["id"])
        if url in known:
            # Another address of a tracked document (a redirect to it): nothing to start,
            # and its next check must stay a live one, announced if the policy changed.
            continue
        report.notes.append(f"admitted {url}")
        admitted.append(document)
    return admitted


async def _start_documents(
    monitor: Monitor, documents: Sequence[DocumentRow], report: TrackingReport
) -> bool:
    """Backfill, then check once, each new document; whether any check succeeded."""
    store = monitor.store
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
        fresh = store.get_document(document["id"])
        assert fresh is not None  # just admitted; documents are never deleted under us
        result = await monitor.check(fresh, now=monitor.clock(), force=True, origin="backfill")
        if result is not None and result.version_id is not None:
            checked_ok = True
        elif result is not None:
            report.notes.append(f"{document['url']}: {result.describe()}")
    return checked_ok


async def track_site(monitor: Monitor, site: SiteRow) -> TrackingReport:
    store = monitor.store
    report = TrackingReport(site=site["site"], state=FAILED)
    await admit_requests(monitor, site, report)
    documents: Sequence[DocumentRow] = store.documents_of_site(site["id"])
    if not documents:
        try:
            found = await _discover(monitor, site["site"])
        except ValueError as exc:  # not a domain (DomainError)
            report.detail = f"not a domain: {exc}"
            return report
        if not found.url:
            notes = "; ".join(found.notes[-2:]) if found.notes else "no candidate"
            held = [n for n in report.notes if "held for the operator" in n]
            report.detail = "; ".join([f"no privacy policy found ({notes})", *held])
            return report
        report.notes.append(f"discovered {found.url}")
        documents = [store.add_document(site["id"], found.url)]
    if await _start_documents(monitor, documents, report):
        report.state, report.detail = TRACKED, "; ".join(report.notes) or None
    else:
        report.detail = "; ".join(report.notes) or "no document could be checked"
    return report


async def track_requested_documents(monitor: Monitor) -> list[TrackingReport]:
    """Open URL requests of sites already tracked: verified ones become documents (their
    history recovered and a first check made, as for a new site); the others are held."""
    store = monitor.store
    reports = []
    for site_id in sorted({r["site_id"] for r in requests_in(store, OPEN)}):
        site = store.get_site(site_id)
        if site is None or site["state"] not in CHECKED_SITE_STATES:
            continue  # a pending site's requests are the tracking of that site
        report = TrackingReport(site=site["site"], state=site["state"])
        try:
            documents = await admit_requests(monitor, site, report)
            await _start_documents(monitor, documents, report)
        except Exception:  # one site's surprise must not stall the others
            log.exception("admitting requested documents of %s failed", site["site"])
        report.detail = "; ".join(report.notes) or None
        reports.append(report)
    return reports


async def track_pending_sites(monitor: Monitor) -> list[TrackingReport]:
    """Bring every pending site to tracked or failed, then act on URL requests for sites
    already tracked; their reports."""
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
    reports += await track_requested_documents(monitor)
    return reports
