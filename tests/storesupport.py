"""What tests read of a store beyond its named queries."""

from __future__ import annotations

from collections.abc import Sequence

from db import Store


def changes_recorded(
    store: Store, cursor: int = 0, *, origins: Sequence[str] | None = None
) -> list[dict]:
    """Every change after `cursor` (any site, public or not), oldest first, as the store's
    change reads give them."""
    ids = [r[0] for r in store.reading().execute("SELECT id FROM changes WHERE id > ?", [cursor])]
    changes = [store.change_by_id(i) for i in sorted(ids)]
    return [c for c in changes if origins is None or c["origin"] in origins]
