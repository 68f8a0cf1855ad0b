"""The ``crimegraph`` command: a thin layer over the same public API analysts use in notebooks.

Commands
--------
``crimegraph demo``                 walk through the bundled counterfeit-oil case
``crimegraph summary CASE.json``    print a case's summary
``crimegraph validate CASE.json``   check a case file and list every problem
``crimegraph trace CASE.json START`` trace a supply chain (``--upstream``, ``--product``...)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pandas as pd

from . import __version__
from .analysis import find_sources, trace_chain
from .errors import CrimeGraphError, InvalidCase
from .io import load_example, read_case
from .io.examples import example_names
from .store import CaseGraph

__all__ = ["main"]


def _print_frame(frame: pd.DataFrame, limit: int = 10) -> None:
    with pd.option_context("display.width", 120, "display.max_columns", 12,
                           "display.unicode.east_asian_width", True):
        print(frame.head(limit).to_string(index=False, na_rep="-"))


def _demo(args: argparse.Namespace) -> int:
    case = load_example(args.example)
    graph = CaseGraph(case)
    print(f"crimegraph {__version__} demo: the bundled '{args.example}' case "
          "(synthetic; every name is invented)\n")
    print(graph.summary())
    print("\nWhere does the fake product come from? Production candidates (find_sources; "
          "counterfeit products only):")
    sources = find_sources(graph)
    _print_frame(sources, 5)
    inputs = find_sources(graph, inputs=True)
    if not inputs.empty:
        print("\nSuppliers of genuine inputs (base materials, packaging; find_sources("
              "inputs=True)), not production candidates:")
        _print_frame(inputs[["id", "name", "quantity", "products"]], 5)
    if sources.empty:
        return 0
    start = str(sources.iloc[0]["id"])
    chain = trace_chain(graph, start)
    print(f"\nWhere did the goods from {start} go? trace_chain downstream, time-respecting:")
    print(f"  {len(chain.nodes)} places, {len(chain.transactions)} shipments, "
          f"{max(chain.tiers.values())} tiers, {len(chain.endpoints)} endpoints")
    print(f"  provinces reached: {', '.join(chain.provinces)}")
    print(f"  quantity shipped out of {start}: {chain.total_quantity:,.0f}; "
          f"value along the chain: {chain.total_amount:,.2f} {case.currency}")
    print("\nShipments and value per tier:")
    _print_frame(chain.tier_totals(), 10)
    leads = chain.leads()
    columns = ["rank", "id", "name", "kind", "product", "inflow", "outflow", "unaccounted"]
    stock = leads[leads["lead"] == "stock left or unknown buyer"]
    short = leads[leads["lead"] == "unknown supplier"]
    print("\nLeads - goods received but not passed on, per product (stock left, or buyers not "
          "yet found); premises and distributors first, retail end points last:")
    _print_frame(stock[columns], 5)
    if not short.empty:
        print("\nLeads - goods passed on but never received in the chain (a supplier not yet "
              "found):")
        _print_frame(short[columns], 5)
    return 0


def _summary(args: argparse.Namespace) -> int:
    print(CaseGraph(read_case(args.path)).summary())
    return 0


def _validate(args: argparse.Namespace) -> int:
    try:
        case = read_case(args.path)
    except InvalidCase as exc:
        print(exc, file=sys.stderr)
        return 1
    records = sum(1 for _ in case.records())
    print(f"{args.path}: valid case {case.id!r} with {records} records")
    return 0


def _trace(args: argparse.Namespace) -> int:
    graph = CaseGraph(read_case(args.path))
    chain = trace_chain(
        graph, args.start, direction="upstream" if args.upstream else "downstream",
        product=args.product or None, since=args.since, until=args.until,
        time_respecting=not args.any_time, max_hops=args.max_hops,
    )
    print(repr(chain))
    frame = chain.to_dataframe()
    if args.csv:
        frame.to_csv(args.csv, index=False)
        print(f"wrote {len(frame)} shipments to {args.csv}")
    else:
        _print_frame(frame, args.limit)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crimegraph", description="Graph-based criminal network analysis."
    )
    parser.add_argument("--version", action="version", version=f"crimegraph {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="walk through a bundled example case")
    demo.add_argument("--example", default="counterfeit_oil", choices=example_names())
    demo.set_defaults(run=_demo)
    summary = commands.add_parser("summary", help="print the summary of a case file")
    summary.add_argument("path")
    summary.set_defaults(run=_summary)
    validate = commands.add_parser("validate", help="check a case file, list every problem")
    validate.add_argument("path")
    validate.set_defaults(run=_validate)
    trace = commands.add_parser("trace", help="trace a supply chain from a start id")
    trace.add_argument("path")
    trace.add_argument("start", nargs="+")
    trace.add_argument("--upstream", action="store_true", help="trace where goods came from")
    trace.add_argument("--product", action="append", help="only this product (repeatable)")
    trace.add_argument("--since")
    trace.add_argument("--until")
    trace.add_argument("--max-hops", type=int)
    trace.add_argument("--any-time", action="store_true",
                       help="plain reachability, ignoring the order of shipments in time")
    trace.add_argument("--csv", help="write the chain's shipments to this CSV file")
    trace.add_argument("--limit", type=int, default=20, help="rows to print")
    trace.set_defaults(run=_trace)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 invalid case, 2 error)."""
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CrimeGraphError as exc:
        print(f"crimegraph: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
