"""The supply chain from each source, and the disruption and cut suggestions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...analysis import (
    cut_chain,
    find_sources,
    simulate_disruption,
    social_network,
    trace_chain,
)
from ...analysis.disruption import Strategy
from ...plot import plot_chain, plot_disruption
from ..blocks import Note, Section, figure_from_axes
from ..support import Support
from ._tables import frame_table

__all__ = ["MAX_CHAINS", "chains_section", "disruption_section"]

MAX_CHAINS = 5
"""Most production candidates whose chains are drawn (the table lists them all)."""
MAX_REMOVED = 25
"""Most people or places removed in the disruption simulation."""


def _has_shipments(support: Support) -> bool:
    return any(t.kind == "shipment" for t in support.case.transactions)


def chains_section(support: Support) -> Section:
    """Production candidates (``find_sources``) and the chain downstream of each."""
    g = support.graph
    section = Section(
        "chains", "The supply chain from each source",
        "Production candidates are places that ship a counterfeit product (or one of unknown "
        "status) but never receive it. From each, the chain follows the goods downstream, "
        "time-respecting: goods leave a place only after they arrived.")
    if not _has_shipments(support):
        section.blocks.append(Note("This case records no shipments, so there is no supply "
                                   "chain to trace.", empty=True))
        return section
    sources = find_sources(g)
    if sources.empty:
        section.blocks.append(Note("find_sources found no production candidate: every "
                                   "place that ships a counterfeit product also receives it "
                                   "(or no product is marked counterfeit).", empty=True))
        return section
    section.blocks.append(frame_table(
        sources, {"rank": "Rank", "id": "Id", "name": "Name", "quantity": "Quantity shipped",
                  "products": "Products"},
        title="Production candidates",
        made_from="find_sources(graph): nodes that send shipments of a counterfeit product "
                  "(or one of unknown status) and receive none of it, largest quantity first.",
        evidence=lambda row: support.of([row["id"]])))
    drawn = sources["id"].astype(str).tolist()[:MAX_CHAINS]
    if len(sources) > len(drawn):
        section.blocks.append(Note(f"The chains of the first {len(drawn)} of {len(sources)} "
                                   "candidates are shown."))
    for start in drawn:
        _chain_blocks(section, support, start)
    return section


def _chain_blocks(section: Section, support: Support, start: str) -> None:
    chain = trace_chain(support.graph, start)
    call = f"trace_chain(graph, {start!r}) (downstream, time-respecting, every product)"
    evidence = support.of([*chain.transactions, *chain.nodes])
    name = support.name(start)
    provinces = ", ".join(chain.provinces) or "-"
    tiers = max(chain.tiers.values(), default=0)
    section.blocks.append(Note(
        f"From {name} ({start}): {len(chain.nodes)} places and parties, "
        f"{len(chain.transactions)} shipments over {tiers} tiers, {len(chain.endpoints)} "
        f"end points; {chain.quantity_text} shipped out of the source; "
        f"provinces reached: {provinces}."))
    section.blocks.append(figure_from_axes(
        plot_chain(chain), title=f"Supply chain from {name} ({start})",
        alt=f"Supply chain from {start}: places by tier, arrows for shipments",
        made_from=f"{call}, drawn by plot_chain: columns are tiers (hops from the source), "
                  "line widths the quantity shipped, numbers at a node the goods unaccounted "
                  "for.",
        evidence=evidence))
    section.blocks.append(frame_table(
        chain.tier_totals(), {"tier": "Tier", "shipments": "Shipments", "quantity": "Quantity",
                              "amount": "Value"},
        title=f"Shipments per tier from {start}", made_from=f"{call}.tier_totals()",
        decimals={"amount": 2},
        evidence=lambda row: support.of(
            chain.to_dataframe().query(f"tier == {int(row['tier'])}")["id"])))
    leads = chain.leads().head(10)
    if not leads.empty:
        section.blocks.append(frame_table(
            leads, {"rank": "Rank", "id": "Id", "name": "Name", "kind": "Kind",
                    "product": "Product", "inflow": "In", "outflow": "Out",
                    "unaccounted": "Unaccounted", "lead": "Lead"},
            title=f"Leads in the chain from {start}",
            made_from=f"{call}.leads(), first 10: goods received but not passed on (stock "
                      "left or buyers not yet found), or passed on but never received (a "
                      "supplier not yet found).",
            evidence=lambda row: support.of([row["id"]])))


def disruption_section(support: Support) -> Section:
    """Simulated arrests (who to remove first) and the smallest cut that stops the goods."""
    g = support.graph
    section = Section(
        "disruption", "Disruption and cut suggestions",
        "What happens to the network as people and places are taken out one by one, and "
        "the fewest places whose seizure stops every source's goods reaching the end "
        "points.")
    strategies: list[Strategy] = []
    if social_network(g).number_of_edges():
        strategies.append("betweenness")
    if _has_shipments(support):
        strategies.append("flow")
    if not strategies:
        section.blocks.append(Note("The case has neither ties between people nor shipments: "
                                   "there is no network to disrupt.", empty=True))
        return section
    runs = [simulate_disruption(g, strategy, max_removed=MAX_REMOVED)
            for strategy in strategies]
    removed: list[str] = [rid for run in runs for rid in run.removed]
    section.blocks.append(figure_from_axes(
        plot_disruption(runs, graph=g), title="Simulated arrests",
        alt="Share of the network left as people are removed, per strategy",
        made_from=f"simulate_disruption(graph, strategy, max_removed={MAX_REMOVED}) for the "
                  f"strategies {', '.join(map(repr, strategies))} ('betweenness': the most "
                  "central person of the social network next, recomputed after each "
                  "removal; 'flow': the place carrying most goods next); solid lines: the "
                  "largest connected group left; dashed: goods still reaching the market.",
        evidence=support.of(removed)))
    for run in runs:
        call = f"simulate_disruption(graph, {run.strategy!r}, max_removed={MAX_REMOVED})"
        if not run.removed:
            section.blocks.append(Note(f"{call} removed no one: no person or place on that "
                                       "network carries anything to remove."))
            continue
        half = run.removed_until(0.5)
        broken = ("the largest connected group never falls to half" if half is None
                  else f"the largest connected group falls to half after {half} removals")
        section.blocks.append(frame_table(
            _removal_order(run.removed[:10], support), {"order": "Order", "id": "Id",
                                                        "name": "Name"},
            title=f"First removals, strategy '{run.strategy}'",
            made_from=f"{call}.removed, first 10; {broken} (robustness "
                      f"{run.robustness:.3f}, lower is more fragile).",
            evidence=lambda row: support.of([row["id"]])))
    if not _has_shipments(support) or find_sources(g).empty:
        section.blocks.append(Note("No cut is suggested: the case has no production "
                                   "candidate to cut off (see the supply chain section).",
                                   empty=True))
    else:
        cut = cut_chain(g)
        section.blocks.append(frame_table(
            cut.table, {"id": "Id", "name": "Name", "quantity_through": "Goods through"},
            title="The smallest cut",
            made_from=f"cut_chain(graph): the fewest places whose removal stops goods "
                      f"from {len(cut.sources)} source(s) (find_sources) reaching "
                      f"{len(cut.targets)} end point(s).",
            evidence=lambda row: support.of([row["id"]])))
    return section


def _removal_order(ids: list[str], support: Support) -> Any:
    import pandas as pd

    rows: list[Mapping[str, Any]] = [{"order": n, "id": rid, "name": support.name(rid)}
                                     for n, rid in enumerate(ids, start=1)]
    return pd.DataFrame(rows, columns=["order", "id", "name"])
