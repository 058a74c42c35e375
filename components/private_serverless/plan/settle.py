"""Settle a program's pending work at a cost flat in the number of pending outputs.

At the end of a run the Python SDK waits for every outstanding RPC and every pending output
(``pulumi.runtime.stack.wait_for_rpcs``). It waits for the outputs with
``asyncio.wait(pending, return_when=FIRST_COMPLETED)`` in a loop, putting back what is not done:
each pass registers and removes a done-callback on *every* pending task, so settling N outputs
costs O(N²). At 1000 services that is most of the run (docs/benchmarks.md).

The offline plan runs the program itself, so it may settle the same work differently: it waits
for each snapshot of pending outputs until all are done or one fails (``FIRST_EXCEPTION``), which
touches each task a bounded number of times. What is awaited, and which exception surfaces, is
what the SDK does: a done task is awaited so its exception is raised here, a failed RPC raises
the original error. Only the order of waiting differs, which no program can observe.

The real engine still runs the SDK's own wait; this changes the offline plan's cost, not what
``pulumi up`` does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from pulumi.runtime import stack as runtime_stack
from pulumi.runtime.settings import SETTINGS, _get_rpc_manager

from ..errors import hide_on_user_error

__tracebackhide__ = hide_on_user_error


async def settle(await_all_outstanding_tasks: bool = True) -> None:
    """Wait for every outstanding RPC and pending output, as ``wait_for_rpcs`` does."""
    rpc_manager = _get_rpc_manager()
    while True:
        while rpc_manager.rpcs:
            await asyncio.sleep(0)
            try:
                await rpc_manager.rpcs.pop()
            except Exception as error:
                if rpc_manager.unhandled_exception is not None:
                    cause = rpc_manager.unhandled_exception.with_traceback(
                        rpc_manager.exception_traceback
                    )
                    raise error from cause
                raise
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        if await_all_outstanding_tasks:
            await _settle_outputs()
        if not rpc_manager.rpcs:
            return


async def _settle_outputs() -> None:
    while True:
        with SETTINGS.lock:
            if not SETTINGS.outputs:
                return
            # Outputs created while we wait land in SETTINGS.outputs for the next snapshot.
            pending = list(SETTINGS.outputs)
            SETTINGS.outputs.clear()
        done, not_done = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
        with SETTINGS.lock:
            SETTINGS.outputs.update(not_done)
        for task in done:
            await task  # raises the task's exception, as the SDK's wait does


@contextmanager
def flat_settling() -> Iterator[None]:
    """Within the block, a program run by ``run_in_stack`` is settled by :func:`settle`."""
    sdk_wait = runtime_stack.wait_for_rpcs
    runtime_stack.wait_for_rpcs = settle
    try:
        yield
    finally:
        runtime_stack.wait_for_rpcs = sdk_wait
