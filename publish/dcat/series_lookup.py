"""Series titles for the feed, read from the store's dataset_series table with a short cache."""

from __future__ import annotations

import threading
import time

from harvester.dedupe.store_ops import get_series
from harvester.store import Store
from publish.dcat.profile import SeriesInfo

# Seconds a looked-up series stays cached; the dedupe stage rewrites series after each harvest round.
CACHE_SECONDS = 60.0


class StoreSeriesLookup:
    """Callable `series_id -> SeriesInfo | None` for `DcatApProfile`."""

    def __init__(self, store: Store, cache_seconds: float = CACHE_SECONDS) -> None:
        self.store = store
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, SeriesInfo | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, series_id: str) -> SeriesInfo | None:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(series_id)
        if cached is not None and now - cached[0] < self.cache_seconds:
            return cached[1]

        row = get_series(self.store, series_id)
        info = None
        if row is not None:
            count = len(row["members"])
            info = SeriesInfo(
                id=row["id"],
                title=row["title"],
                description=f"Seri {count} dataset berkala / series of {count} periodic datasets: {row['title']}",
                modified=row["updated_at"],
            )
        with self._lock:
            self._cache[series_id] = (now, info)
        return info
