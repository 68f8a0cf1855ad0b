"""What an export was given (a case, a case graph, a chain, a money trail or a network), resolved
into one redacted case and the part of it to write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...errors import InvalidArgument, WrongArgumentType
from ...model import Case
from ...model.projection import flat_graph
from ...model.redact import RedactionProfile, redact_case, redaction_profile

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Selection", "select"]

ACCEPTED = ("a crimegraph.Case, a CaseGraph, a Chain (cg.trace_chain), a MoneyTrail "
            "(cg.trace_money) or a networkx graph such as cg.social_network(...)")


@dataclass
class Selection:
    """The redacted case and which of its nodes and links to write.

    ``network`` is set instead of ``case`` for a networkx graph given as it is.
    """

    case: Case | None
    profile: RedactionProfile
    nodes: list[str] | None = None
    links: list[str] | None = None
    node_extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    network: nx.Graph | None = None
    what: str = "case"

    def graph(self) -> Any:
        """The flat graph to write (attributes are scalars)."""
        if self.network is not None:
            return _flat_network(self.network)
        assert self.case is not None
        return flat_graph(self.case, nodes=self.nodes, links=self.links,
                          node_extra=self.node_extra)


def select(data: object, redact: str | RedactionProfile | None, *,
           cases_only: bool = False, function: str = "export") -> Selection:
    """Resolve ``data`` and apply the redaction profile (the one :func:`redact_case`)."""
    import networkx as nx

    profile = redaction_profile(redact)
    case, nodes, links, extra, what = _unpack(data)
    if case is None and isinstance(data, nx.Graph) and not cases_only:
        if not profile.is_identity:
            raise InvalidArgument(
                f"{function}: redact={profile.name!r} cannot be applied to a networkx graph "
                "made before redaction (its ties may rest on withheld facts); make the network "
                "from the redacted case instead, e.g. "
                f"cg.{function}(cg.social_network(cg.redact(graph, {profile.name!r})), path)")
        return Selection(None, profile, network=data, what="network")
    if case is None or (cases_only and what != "case"):
        wanted = "a crimegraph.Case or CaseGraph" if cases_only else ACCEPTED
        raise WrongArgumentType(f"{function} needs {wanted}, got {type(data).__name__}")
    redacted = redact_case(case, profile)
    ids = redacted.ids
    start = [str(s) for s in getattr(data, "start", None) or ()] if what != "case" else []
    if start and not any(s in ids for s in start):
        # As the figures do: a trace whose start the audience may not see shows nothing.
        raise InvalidArgument(
            f"{function}: redact={profile.name!r} withholds the start of this trace "
            f"({', '.join(start)}); there is nothing the audience may see")
    return Selection(
        redacted.case, profile,
        nodes=None if nodes is None else [ids[n] for n in nodes if n in ids],
        links=None if links is None else [ids[n] for n in links if n in ids],
        node_extra={ids[n]: v for n, v in extra.items() if n in ids},
        what=what,
    )


def _unpack(data: object) -> tuple[Case | None, list[str] | None, list[str] | None,
                                    dict[str, dict[str, Any]], str]:
    if isinstance(data, Case):
        return data, None, None, {}, "case"
    case = getattr(data, "case", None)
    if isinstance(case, Case) and hasattr(data, "store"):  # a CaseGraph
        return case, None, None, {}, "case"
    graph = getattr(data, "graph", None)
    tiers = getattr(data, "tiers", None)
    if graph is not None and isinstance(getattr(graph, "case", None), Case) and tiers:
        # A traced chain or money trail: its places with their tier, and its transactions.
        what = "money trail" if hasattr(data, "payment_count") else "chain"
        return (graph.case, list(tiers), list(data.transactions),  # type: ignore[attr-defined]
                {n: {"tier": int(t)} for n, t in tiers.items()}, what)
    return None, None, None, {}, ""


def _flat_network(network: nx.Graph) -> nx.Graph:
    """A copy of a networkx graph with scalar attributes only (lists joined, None dropped)."""
    from ...model.projection import FLAT_LIST_SEPARATOR, _one_type_per_key

    flat = network.__class__()

    def scalar(values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in values.items():
            if value is None:
                continue
            if isinstance(value, (list, tuple, set)):
                value = FLAT_LIST_SEPARATOR.join(map(str, value))
            elif not isinstance(value, (str, int, float, bool)):
                value = value.isoformat() if hasattr(value, "isoformat") else str(value)
            out[key] = value
        return out

    for node, data in network.nodes(data=True):
        attrs = scalar(data)
        attrs.setdefault("label", str(attrs.get("name", node)))
        flat.add_node(node, **attrs)
    if network.is_multigraph():
        for u, v, key, data in network.edges(keys=True, data=True):
            flat.add_edge(u, v, key=key, **scalar(data))
    else:
        for u, v, data in network.edges(data=True):
            flat.add_edge(u, v, **scalar(data))
    _one_type_per_key(flat.nodes.values())
    _one_type_per_key(data for *_, data in flat.edges(data=True))
    return flat
