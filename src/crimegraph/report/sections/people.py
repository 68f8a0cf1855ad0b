"""The org chart (chain of command) and the key players of the social network."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...analysis import infer_hierarchy, key_players, social_network
from ...analysis.players import Measure
from ...plot import plot_network, plot_org_chart
from ..blocks import Note, Section, figure_from_axes
from ..support import Support
from ._tables import frame_table

__all__ = ["MEASURES", "TOP", "key_players_section", "org_chart_section"]

MEASURES: tuple[Measure, ...] = ("degree", "betweenness", "pagerank")
"""Centrality measures ranked in the key players table."""
TOP = 10
"""Key players listed per measure."""


def org_chart_section(support: Support) -> Section:
    """Who gives orders to whom, with the reasons and the evidence for each tie."""
    g = support.graph
    section = Section(
        "org_chart", "Organization chart",
        "The chain of command inferred from roles, 'leads' and 'employs' relationships, and "
        "the direction of goods and money between the people of the ring.")
    if not support.case.persons:
        section.blocks.append(Note("This case records no persons, so there is no chain of "
                                   "command to show.", empty=True))
        return section
    hierarchy = infer_hierarchy(g)

    def backing(row: Mapping[str, Any]) -> list[str]:
        person, superior = str(row["id"]), row.get("superior")
        ties = support.between(person, str(superior)) if isinstance(superior, str) else []
        return [*support.of([person]), *ties]

    table = frame_table(
        hierarchy, {"id": "Id", "name": "Name", "level": "Level", "superior": "Superior",
                    "role": "Role", "status": "Status", "evidence": "Reasons"},
        title="Chain of command", evidence=backing,
        made_from="infer_hierarchy(graph): each person's level (0 = top) and direct "
                  "superior; evidence: the person's own and that of the relationships "
                  "with the superior.")
    section.blocks.append(figure_from_axes(
        plot_org_chart(g, hierarchy=hierarchy), title="Organization chart",
        alt="The ring's hierarchy: the leader on top, subordinates below",
        made_from="plot_org_chart(graph, hierarchy=infer_hierarchy(graph)); boxes are "
                  "coloured by status.",
        evidence=table.evidence))
    section.blocks.append(table)
    return section


def key_players_section(support: Support) -> Section:
    """The most central people and organizations of the social network, by three measures."""
    import pandas as pd

    g = support.graph
    section = Section(
        "key_players", "Key players",
        "The social network joins people and organizations that are related (family, "
        "employment, calls, meetings, ownership). Degree counts ties, betweenness how often "
        "someone lies on the shortest path between others (brokers), PageRank ties to "
        "well-tied people.")
    network = social_network(g)
    if network.number_of_edges() == 0:
        section.blocks.append(Note("The social network has no ties (no relationships "
                                   "between the persons and organizations of the case).",
                                   empty=True))
        return section
    ranks: dict[str, dict[str, object]] = {}
    for measure in MEASURES:
        top = key_players(g, measure, k=TOP)
        for record in top.to_dict("records"):
            entry = ranks.setdefault(str(record["id"]), {"id": record["id"],
                                                         "name": record["name"]})
            entry[measure] = record["rank"]
    frame = pd.DataFrame(list(ranks.values()), columns=["id", "name", *MEASURES])
    frame = frame.sort_values([*MEASURES, "id"], na_position="last", kind="stable")
    for measure in MEASURES:
        frame[measure] = frame[measure].astype("Int64")
    section.blocks.append(figure_from_axes(
        plot_network(g, size_by="betweenness", seed=0), title="The social network",
        alt="The social network: people and organizations as dots, ties as lines",
        made_from=f"plot_network(graph, size_by='betweenness', seed=0) of social_network(graph) "
                  f"({network.number_of_nodes()} nodes, {network.number_of_edges()} ties): "
                  "colours are groups (find_groups, Louvain), dot sizes betweenness.",
        evidence=support.of(frame["id"])))
    section.blocks.append(frame_table(
        frame, {"id": "Id", "name": "Name", "degree": "Degree rank",
                "betweenness": "Betweenness rank", "pagerank": "PageRank rank"},
        title="Key players",
        made_from=f"key_players(graph, measure, k={TOP}) for measure in {list(MEASURES)}; "
                  "a dash: not among that measure's first ten.",
        evidence=lambda row: support.of([str(row["id"])])))
    return section
