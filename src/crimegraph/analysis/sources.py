"""Where the goods begin: the places that ship a fake product but never receive it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..model import Case
from ..store.graph import CaseGraph, as_case_graph
from .flows import as_id_list

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["find_sources"]


def find_sources(graph: CaseGraph | Case, product: str | Sequence[str] | None = None, *,
                 inputs: bool = False) -> pd.DataFrame:
    """Production candidates: nodes that ship a fake product but never receive it.

    A node counts as a source of product P when it sends shipments of P and receives none of
    P (a den that buys base oil and ships fake oil is a source of the fake oil). Only
    counterfeit products and products of unknown status count: the suppliers of genuine
    inputs (products marked ``counterfeit=False``, such as base oil, ethanol or empty
    bottles) are not production candidates, and ``inputs=True`` lists them instead.

    Parameters
    ----------
    graph : CaseGraph or Case
    product : str or list of str, optional
        Only these products, whatever their status (when None: every counterfeit or unknown
        product, or with ``inputs=True`` every genuine one).
    inputs : bool
        List the sources of genuine inputs instead of production candidates.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``name``, ``quantity`` (shipped out of products it never received),
        ``products`` (those product ids, comma-separated) and ``rank``; ranked by quantity,
        ties by id.

    Examples
    --------
    >>> import crimegraph as cg
    >>> cg.find_sources(cg.load_example("counterfeit_oil")).iloc[0]["id"]
    'W-DEN-01'
    >>> cg.find_sources(cg.load_example("fake_liquor"), inputs=True)["id"].tolist()
    ['ORG-RECYCLE', 'ORG-SPIRIT']
    """
    import pandas as pd

    g = as_case_graph(graph)
    products = None if product is None else as_id_list(product, "product")
    if products:
        found = g.store.get_many(products)
        for pid in products:
            if pid not in found:
                raise g.store.not_found(pid)
    table = g.store.flows("shipment")
    if products is None:
        records = g.store.get_many(table.item_ids)
        products = [pid for pid in table.item_ids
                    if (getattr(records.get(pid), "counterfeit", None) is False) == inputs]
    table = table.select(table.mask(items=products))
    n_nodes, n_products = len(table.node_ids), max(len(table.item_ids), 1)
    key_out = table.source.astype(np.int64) * n_products + table.item
    key_in = table.target.astype(np.int64) * n_products + table.item
    size = n_nodes * n_products
    shipped = np.bincount(key_out, weights=table.quantity, minlength=size)
    received = np.bincount(key_in, minlength=size) > 0
    source_keys = np.flatnonzero((shipped > 0) & ~received)
    per_node: dict[int, tuple[float, list[str]]] = {}
    for key in source_keys.tolist():
        node, prod = divmod(key, n_products)
        qty, prods = per_node.get(node, (0.0, []))
        per_node[node] = (qty + float(shipped[key]), [*prods, table.item_ids[prod]])
    ids = [table.node_ids[node] for node in per_node]
    entities = g.store.get_many(ids)
    rows = [
        {"id": table.node_ids[node],
         "name": getattr(entities.get(table.node_ids[node]), "name", table.node_ids[node]),
         "quantity": qty, "products": ",".join(sorted(prods))}
        for node, (qty, prods) in per_node.items()
    ]
    frame = pd.DataFrame(rows, columns=["id", "name", "quantity", "products"])
    frame = frame.sort_values(["quantity", "id"], ascending=[False, True], ignore_index=True)
    frame["rank"] = np.arange(1, len(frame) + 1)
    return frame
