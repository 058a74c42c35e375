"""Garbage collection during an offline run: none, and one collection at the end.

The Python SDK makes reference cycles for every resource (a resource holds its outputs, each
output's data holds the resource), and they stay alive until the run settles. CPython's
automatic collections walk them anyway: a full collection walks every tracked object (the
imported SDKs included) about once per few dozen resources, O(N²) in the stack's size, and the
young collections walk each of the run's objects twice (generations 0 and 1) for the little
garbage a run frees before it ends. Measured at 1000 services (docs/benchmarks.md): full
collections were a third of the run at 300 services; with them deferred, the young ones were
still a quarter of it, and what they freed kept the run's peak memory 3 % lower.

Within :func:`collections_at_the_end` the collector is off, and the objects that existed
before the run (imports, the caller's data) are frozen. One collection when the block ends
frees the run's garbage, before anything is unfrozen, so it walks the run's own objects only,
once. Objects without cycles are freed by reference counting as always.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collections_at_the_end() -> Iterator[None]:
    """Within the block, no automatic collection; one collection of the block's garbage when
    it ends. A disabled collector, or a heap the caller froze, is left as it is."""
    if not gc.isenabled():
        yield
        return
    # gc.unfreeze() would also thaw what a caller froze: freeze only an unfrozen heap.
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()
        if freeze:
            gc.unfreeze()
