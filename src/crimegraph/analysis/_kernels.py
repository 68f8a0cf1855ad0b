"""Compiled inner loops of the supply-chain trace, compiled (or loaded from disk) on first use.

Every kernel takes shipments as parallel arrays sorted by time. Times are int64 microseconds;
``NO_TIME`` marks "not reached" and ``EVER`` "reached since the beginning of time".

The kernels live in :mod:`crimegraph.analysis._jit`; this module imports it (and numba) the first
time a kernel is asked for, so importing the analyses costs no numba start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ._jit import (
        bfs_levels,
        chain_positions,
        chain_tiers,
        hop_limited_arrival,
        trace_adjacency,
    )

__all__ = [
    "EVER", "NO_TIME", "bfs_levels", "chain_positions", "chain_tiers",
    "hop_limited_arrival", "trace_adjacency",
]

NO_TIME = np.int64(2**62)
EVER = np.int64(-(2**62))

_KERNELS = frozenset(__all__) - {"EVER", "NO_TIME"}


def __getattr__(name: str) -> Any:
    if name in _KERNELS:
        value = getattr(importlib.import_module(".analysis._jit", "crimegraph"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
