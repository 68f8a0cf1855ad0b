"""The ``redact=`` argument of every figure: what the figure is drawn from, after redaction.

A case or case graph is redacted with :func:`crimegraph.redact`; a traced chain or money trail
is traced again, with the same parameters, on the redacted case (so that nothing withheld can
carry the trace further); a reconciliation is made again from the redacted case (given with
``graph=``). The figure then draws only what the audience may see.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..analysis import Chain, MoneyTrail, reconcile, trace_chain, trace_money
from ..errors import InvalidArgument
from ..model import Case
from ..model.redact import RedactionProfile, redact_case, redaction_profile
from ..store import CaseGraph

__all__ = ["reconcile_again", "redacted", "redacted_ids"]


def redacted(data: Any, redact: str | RedactionProfile | None, *, function: str) -> Any:
    """``data`` as the profile lets its audience see it (unchanged for ``internal``)."""
    profile = redaction_profile(redact)
    if profile.is_identity or data is None:
        return data
    if isinstance(data, (Case, CaseGraph)):
        from ..model.redact import redact as redact_any

        return redact_any(data, profile)
    if isinstance(data, Chain):
        return _trace_again(data, profile, function)
    if isinstance(data, MoneyTrail):
        return _trace_again(data, profile, function)
    raise InvalidArgument(
        f"{function}: redact={profile.name!r} cannot be applied to a "
        f"{type(data).__name__}; draw it from the redacted case instead "
        f"(cg.redact(graph, {profile.name!r}))")


def redacted_ids(graph: Any, redact: str | RedactionProfile | None) -> tuple[Any, dict[str, str]]:
    """The redacted case graph and the map from original ids to kept ids."""
    profile = redaction_profile(redact)
    if graph is None or profile.is_identity:
        return graph, {}
    case = graph if isinstance(graph, Case) else graph.case
    result = redact_case(case, profile)
    return CaseGraph(result.case), result.ids


def reconcile_again(result: Any, graph: Any, redact: str | RedactionProfile | None) -> Any:
    """A reconciliation made again from the redacted case (``graph``: its original)."""
    profile = redaction_profile(redact)
    if profile.is_identity:
        return result
    if graph is None:
        raise InvalidArgument(
            f"plot_reconcile: redact={profile.name!r} needs graph= (the case the "
            "reconciliation was made from), so that it can be made again from the redacted "
            "case")
    from ..model.redact import redact as redact_any

    return reconcile(redact_any(graph, profile), window=result.window,
                     currency=result.currency)


def _moment(us: int | None) -> _dt.datetime | None:
    if us is None:
        return None
    return _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(microseconds=us)


def _trace_again(walk: Chain | MoneyTrail, profile: RedactionProfile, function: str) -> Any:
    result = redact_case(walk.graph.case, profile)
    starts = [result.ids[s] for s in walk.start if s in result.ids]
    if not starts:
        raise InvalidArgument(
            f"{function}: redact={profile.name!r} withholds the start of this trace "
            f"({', '.join(walk.start)}); there is nothing the audience may see")
    graph = CaseGraph(result.case)
    common: dict[str, Any] = dict(
        direction=walk.direction, since=_moment(walk.since_us), until=_moment(walk.until_us),
        time_respecting=walk.time_respecting, max_hops=walk.max_hops)
    if isinstance(walk, Chain):
        product = None if walk.product is None else [
            result.ids[p] for p in walk.product if p in result.ids]
        return trace_chain(graph, starts, product=product or None, **common)
    return trace_money(graph, starts, currency=walk.currency, min_amount=walk.min_amount,
                       attribution=walk.attribution,  # type: ignore[arg-type]
                       **common)
