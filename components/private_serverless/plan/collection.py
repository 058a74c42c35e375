"""Garbage collection during an offline run: young generations only, the rest once at the end.

The Python SDK makes reference cycles for every resource (a resource holds its outputs, each
output's data holds the resource; every ``contains_unknowns`` call leaves a recursive closure),
and they stay alive until the run settles. CPython's full collection walks every tracked object,
the imported SDKs included, and with a heap growing by a fixed amount per resource it runs about
once per few dozen resources: N full collections over a heap of size N, O(N²). Profiled at
300 services (docs/benchmarks.md), full collections were a third of the run, for garbage that
none of them could free yet.

Within :func:`deferred_full_collections` the objects that existed before the run (imports, the
caller's data) are frozen, so no collection walks them, and only the young generations are
collected automatically: the short-lived cycles of the run are still freed as they appear. One
collection at the end frees the run's long-lived garbage, before anything is unfrozen, so it
walks the run's own objects only. The run's peak memory is the same: what a full collection
frees during the run is little next to what is still pending.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: A generation-2 threshold that is never reached: the count grows by one per gen-1 collection.
_NEVER = 2**31 - 1


@contextmanager
def deferred_full_collections() -> Iterator[None]:
    """Within the block, no automatic full collection; one collection of the block's garbage
    when it ends. A disabled collector, or a heap the caller froze, is left as it is."""
    if not gc.isenabled():
        yield
        return
    thresholds = gc.get_threshold()
    # gc.unfreeze() would also thaw what a caller froze: freeze only an unfrozen heap.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(thresholds[0], thresholds[1], _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.collect()
        if freeze:
            gc.unfreeze()
