"""Analyses written once against the store interface: chains, key players, groups, hierarchy."""

from __future__ import annotations

from .chain import Chain, find_sources, trace_chain

__all__ = ["Chain", "find_sources", "trace_chain"]
