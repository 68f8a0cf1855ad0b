"""Analyses written once against the store interface: chains, money, key players, groups,
hierarchy."""

from __future__ import annotations

from .brokers import find_brokers
from .chain import Chain, trace_chain
from .cut import ChainCut, cut_chain
from .disruption import Disruption, simulate_disruption
from .groups import Groups, find_groups
from .hierarchy import infer_hierarchy
from .money import MoneyTrail, trace_money
from .players import key_players
from .proceeds import Proceeds, proceeds
from .reconcile import Reconciliation, reconcile
from .resolve import Matches, ResolvedGraph, find_matches, resolve
from .social import network_to_igraph, social_network
from .sources import find_sources

__all__ = [
    "Chain",
    "ChainCut",
    "Disruption",
    "Groups",
    "Matches",
    "MoneyTrail",
    "Proceeds",
    "Reconciliation",
    "ResolvedGraph",
    "cut_chain",
    "find_brokers",
    "find_groups",
    "find_matches",
    "find_sources",
    "infer_hierarchy",
    "key_players",
    "network_to_igraph",
    "proceeds",
    "reconcile",
    "resolve",
    "simulate_disruption",
    "social_network",
    "trace_chain",
    "trace_money",
]
