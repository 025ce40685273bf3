"""A lookup reads the sites under its prefix from one covering index (migration m012)."""

from __future__ import annotations

from db import Store
from db.reads import PUBLIC_SITE


def test_the_sites_under_a_prefix_come_from_a_covering_index(tmp_path):
    with Store.open(tmp_path / "cw.db") as store:
        store.add_site("example.com")
        plan = " ".join(
            r[3]
            for r in store.reader.execute(
                "EXPLAIN QUERY PLAN SELECT s.site_hash, s.state, s.id FROM sites s"
                f" WHERE s.site_hash >= 'ab' AND s.site_hash < 'abg' AND {PUBLIC_SITE}"
            )
        )
        assert "COVERING INDEX sites_hash_state" in plan, plan
