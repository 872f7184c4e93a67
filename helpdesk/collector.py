"""Python's cyclic garbage collector, held off where a job makes many short-lived objects.

A batch of mail or a phone log's chunk makes tens of thousands of objects (parse trees,
form values, rows) that reference counting frees as they are done with; the collector
would walk them, and every module's objects, again and again meanwhile. The few cycles
(a transaction's ORM objects) are collected once it runs again, after the work.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, where it was on."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """The collector off while the block loads what lives as long as the process (modules,
    the configuration), then told to leave it all out of its walks (`gc.freeze`, undone by
    `gc.unfreeze`)."""
    with paused():
        try:
            yield
        finally:
            gc.freeze()
