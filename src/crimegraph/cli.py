"""The ``crimegraph`` command: a thin layer over the same public API analysts use in notebooks.

Commands
--------
``crimegraph demo``                 walk through the bundled counterfeit-oil case
``crimegraph summary CASE.json``    print a case's summary
``crimegraph validate CASE.json``   check a case file and list every problem (on stdout)
``crimegraph trace CASE.json START`` trace a supply chain (``--upstream``, ``--product``...)
``crimegraph ingest MAPPING FILES... -o CASE.json``  load agency exports (CSV, Excel) into a case
``crimegraph report CASE.json -o report.html``       write the case report (one HTML file)
``crimegraph export CASE.json --format F -o PATH``  GraphML, GEXF, xlsx, ftm or anx (``--redact``)

The heavy libraries (pandas, numba...) load only when a command needs them, so
``crimegraph --help`` and ``crimegraph --version`` answer at once.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["main"]

EXAMPLES = ("counterfeit_oil", "fake_liquor")  # kept equal to crimegraph.io.example_names()
DATE_FORMATS = "YYYY-MM-DD, YYYY/MM/DD, YYYY-MM-DDTHH:MM (or 'YYYY-MM-DD HH:MM') or YYYY年M月D日"

_NUMERIC = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)
_CJK = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s*(\d{1,2})[:：时](\d{2})分?)?")


class UsageError(Exception):
    """A bad command-line value: printed as one line, exit status 2."""


def parse_when(text: str, option: str) -> date | datetime:
    """A ``--since``/``--until`` value as a date or a naive datetime (in the case's time zone).

    Accepts ``2024-04-01``, ``2024/04/01``, ``2024.04.01``, ``2024-04-01T08:00``,
    ``2024-04-01 08:00:30``, ``2024年4月1日`` and full ISO datetimes with an offset
    (``2024-04-01T08:00+08:00``).

    >>> parse_when("2024/04/01", "--since")
    datetime.date(2024, 4, 1)
    >>> parse_when("2024年4月1日", "--since")
    datetime.date(2024, 4, 1)
    >>> parse_when("2024-04-01T08:00", "--until")
    datetime.datetime(2024, 4, 1, 8, 0)
    """
    value = text.strip()
    match = _NUMERIC.fullmatch(value) or _CJK.fullmatch(value)
    try:
        if match:
            year, month, day, hour, minute, *second = match.groups()
            if hour is None:
                return date(int(year), int(month), int(day))
            return datetime(int(year), int(month), int(day), int(hour), int(minute),
                            int(second[0] or 0) if second else 0)
        return datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date or time; use {DATE_FORMATS}"
        ) from None


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


def _print_frame(frame: pd.DataFrame, limit: int | None = 10, what: str = "rows",
                 hint: str = "") -> None:
    """Print the first ``limit`` rows (all when ``None``) and say so when some are left out."""
    import pandas as pd

    if frame.empty:  # not pandas' "Empty DataFrame" and its column list
        print(f"(no {what})")
        return
    shown = frame if limit is None else frame.head(limit)
    with pd.option_context("display.width", 120, "display.max_columns", 12,
                           "display.unicode.east_asian_width", True):
        print(shown.to_string(index=False, na_rep="-"))
    if len(shown) < len(frame):
        print(f"(first {len(shown)} of {len(frame)} {what}{hint})")


def _demo(args: argparse.Namespace) -> int:
    from .analysis import find_sources, trace_chain
    from .io import load_example
    from .store import CaseGraph

    case = load_example(args.example)
    graph = CaseGraph(case)
    print(f"crimegraph {__version__} demo: the bundled '{args.example}' case "
          "(synthetic; every name is invented)\n")
    print(graph.summary())
    print("\nWhere does the fake product come from? Production candidates (find_sources; "
          "counterfeit products only):")
    sources = find_sources(graph)
    _print_frame(sources, 5, "candidates")
    inputs = find_sources(graph, inputs=True)
    if not inputs.empty:
        print("\nSuppliers of genuine inputs (base materials, packaging; find_sources("
              "inputs=True)), not production candidates:")
        _print_frame(inputs[["id", "name", "quantity", "products"]], 5, "suppliers")
    if sources.empty:
        return 0
    start = str(sources.iloc[0]["id"])
    chain = trace_chain(graph, start)
    print(f"\nWhere did the goods from {start} go? trace_chain downstream, time-respecting:")
    print(f"  {len(chain.nodes)} places, {len(chain.transactions)} shipments, "
          f"{max(chain.tiers.values())} tiers, {len(chain.endpoints)} endpoints")
    print(f"  provinces reached: {', '.join(chain.provinces)}")
    print(f"  quantity shipped out of {start}: {chain.quantity_text}; "
          f"value along the chain: {chain.amount_text}")
    print("\nShipments and value per tier:")
    _print_frame(chain.tier_totals(), 10, "tiers")
    leads = chain.leads()
    columns = ["rank", "id", "name", "kind", "product", "inflow", "outflow", "unaccounted"]
    stock = leads[leads["lead"] == "stock left or unknown buyer"]
    short = leads[leads["lead"] == "unknown supplier"]
    print("\nLeads - goods received but not passed on, per product (stock left, or buyers not "
          "yet found); premises and distributors first, retail end points last:")
    _print_frame(stock[columns], 5, "leads")
    if not short.empty:
        print("\nLeads - goods passed on but never received in the chain (a supplier not yet "
              "found):")
        _print_frame(short[columns], 5, "leads")
    return 0


def _summary(args: argparse.Namespace) -> int:
    from .io import read_case
    from .store import CaseGraph

    print(CaseGraph(read_case(args.path)).summary())
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .errors import InvalidCase
    from .io import read_case

    try:
        case = read_case(args.path)
    except InvalidCase as exc:
        # The report is the command's output: `crimegraph validate x.json > problems.txt`.
        print(exc)
        return 1
    records = sum(1 for _ in case.records())
    print(f"{args.path}: valid case {case.id!r} with {records} records")
    return 0


def _trace(args: argparse.Namespace) -> int:
    since = None if args.since is None else parse_when(args.since, "--since")
    until = None if args.until is None else parse_when(args.until, "--until")
    if args.limit < 0:
        raise UsageError(f"--limit {args.limit} is negative; give 0 to print every shipment")
    if args.max_hops is not None and args.max_hops < 1:
        raise UsageError(f"--max-hops {args.max_hops} must be at least 1")
    if since is not None and until is not None:
        first, last = _as_datetime(since), _as_datetime(until)
        if (first.tzinfo is None) == (last.tzinfo is None) and first > last:
            raise UsageError(f"--since {args.since} is after --until {args.until}")

    csv = None if args.csv is None else _writable(Path(args.csv), "--csv")

    from .analysis import trace_chain
    from .io import read_case
    from .store import CaseGraph

    graph = CaseGraph(read_case(args.path))
    try:
        chain = trace_chain(
            graph, args.start, direction="upstream" if args.upstream else "downstream",
            product=args.product or None, since=since, until=until,
            time_respecting=not args.any_time, max_hops=args.max_hops,
        )
    except ValueError as exc:  # e.g. --since after --until
        raise UsageError(str(exc)) from None
    print(repr(chain))
    frame = chain.to_dataframe()
    if csv is not None:
        try:
            frame.to_csv(csv, index=False)
        except OSError as exc:  # no permission, disk full...
            raise UsageError(f"--csv {csv}: cannot write the file ({exc.strerror or exc})"
                             ) from exc
        print(f"wrote {len(frame)} shipments to {csv}")
    else:
        _print_frame(frame, args.limit or None, "shipments",
                     "; --csv FILE writes them all, --limit 0 prints them all")
    return 0


def _ingest(args: argparse.Namespace) -> int:
    if args.credibility is not None and not 1 <= args.credibility <= 6:
        raise UsageError(f"--credibility {args.credibility} must be 1..6")
    import pandas as pd

    from .errors import InvalidSource
    from .io import read_case, write_case
    from .io.sources import ingest

    for source in args.sources:
        _readable(Path(source))
    into = read_case(args.into) if args.into else None
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    try:
        result = ingest(
            args.sources, args.mapping, agency=args.agency, reliability=args.reliability,
            credibility=args.credibility, strict=not args.lenient, into=into,
            encoding=args.encoding, progress=progress,
            case_id=args.case_id, title=args.title or "",
        )
    except InvalidSource as exc:
        if args.problems:
            exc.to_frame().to_csv(args.problems, index=False, encoding="utf-8-sig")
        print(exc)
        if args.problems:
            print(f"wrote {len(exc.problems):,} problems to {args.problems}")
        print("nothing was written; --lenient loads the good rows")
        return 1
    write_case(result.case, args.output)
    print(result.summary())
    if args.problems:
        result.problems.to_csv(args.problems, index=False, encoding="utf-8-sig")
        print(f"wrote {len(result.problems):,} problems to {args.problems}")
    elif len(result.problems):
        with pd.option_context("display.width", 120, "display.max_colwidth", 60):
            print(result.problems.head(10).to_string(index=False))
        print("(--problems FILE writes them all as CSV)")
    if args.conflicts:
        result.conflicts.to_csv(args.conflicts, index=False, encoding="utf-8-sig")
        print(f"wrote {len(result.conflicts):,} conflicts to {args.conflicts}")
    print(f"wrote case {result.case.id!r} to {args.output}")
    # 0 when every row of every file was recorded or skipped by a filter: notes about
    # columns the mapping does not read leave every row loaded
    sources = result.sources
    incomplete = bool((sources["rejected"] > 0).any() or (sources["rows_read"] == 0).any())
    return 1 if incomplete else 0


def _writable(path: Path, option: str) -> Path:
    """Refuse an output file whose folder is missing or that is a folder (exit status 2)."""
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give the file to write")
    if not path.parent.is_dir():
        raise UsageError(f"{option} {path}: folder {path.parent} does not exist; create it "
                         "first")
    return path


def _readable(path: Path) -> None:
    """Refuse an input file that is missing or cannot be opened (exit status 2)."""
    if not path.exists():
        raise UsageError(f"no such file: {path}; nothing was written")
    if not path.is_file():
        raise UsageError(f"not a file: {path}; nothing was written")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot open {path} ({exc.strerror or exc}); nothing was "
                         "written") from None


def _report(args: argparse.Namespace) -> int:
    from .io import read_case
    from .report import case_report

    sections = None
    if args.sections:
        sections = [name.strip() for name in args.sections.split(",") if name.strip()]
    path = case_report(read_case(args.path), args.output, redact=args.redact,
                       sections=sections)
    print(f"wrote the case report to {path} (redaction profile {args.redact!r})")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crimegraph", description="Graph-based criminal network analysis.",
        epilog="Run 'crimegraph COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"crimegraph {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser("demo", help="walk through a bundled example case",
                               description="Walk through a bundled (synthetic) example case.")
    demo.add_argument("--example", default="counterfeit_oil", choices=EXAMPLES,
                      help="which bundled case (default: %(default)s)")
    demo.set_defaults(run=_demo)
    summary = commands.add_parser("summary", help="print the summary of a case file",
                                  description="Print the summary of a case file.")
    summary.add_argument("path", metavar="CASE.json", help="the case file")
    summary.set_defaults(run=_summary)
    validate = commands.add_parser(
        "validate", help="check a case file, list every problem",
        description="Check a case file. Every problem is listed on standard output; the exit "
                    "status is 0 for a valid case, 1 for an invalid one, 2 for an unreadable "
                    "file.")
    validate.add_argument("path", metavar="CASE.json", help="the case file")
    validate.set_defaults(run=_validate)
    trace = commands.add_parser(
        "trace", help="trace a supply chain from a start id",
        description="Trace where goods went from START (or, with --upstream, where they came "
                    "from): the shipments in time order, each sent after the goods arrived.")
    trace.add_argument("path", metavar="CASE.json", help="the case file")
    trace.add_argument("start", nargs="+", metavar="START",
                       help="id of a place or party to start from (several are traced together)")
    trace.add_argument("--upstream", action="store_true", help="trace where goods came from")
    trace.add_argument("--product", action="append", metavar="ID",
                       help="only shipments of this product (repeatable)")
    trace.add_argument("--since", metavar="WHEN",
                       help=f"ignore shipments before WHEN ({DATE_FORMATS}; in the case's time "
                            "zone)")
    trace.add_argument("--until", metavar="WHEN",
                       help="ignore shipments after WHEN (same formats as --since)")
    trace.add_argument("--max-hops", type=int, metavar="N",
                       help="follow at most N shipments from the start (default: no limit)")
    trace.add_argument("--any-time", action="store_true",
                       help="plain reachability, ignoring the order of shipments in time")
    trace.add_argument("--csv", metavar="FILE",
                       help="write all the chain's shipments to FILE instead of printing them")
    trace.add_argument("--limit", "-n", type=int, default=20, metavar="N",
                       help="print the first N shipments (default: %(default)s; 0: all)")
    trace.set_defaults(run=_trace)
    ingest = commands.add_parser(
        "ingest", help="load agency exports (CSV, Excel) into a case file",
        description="Load agency exports (waybills, bank statements, orders, call records, "
                    "inspections...) into a case file through a mapping. Prints rows read, "
                    "recorded, rejected and skipped per file. Exit status 0 when every row "
                    "loaded (or was skipped by a filter), 1 when rows were rejected or a "
                    "file gave no rows, 2 on an error (a file missing or unreadable, a bad "
                    "argument), with nothing written.")
    ingest.add_argument("mapping", metavar="MAPPING",
                        help="a shipped mapping (waybills, bank_statements, orders, "
                             "call_records, inspections) or a .toml file")
    ingest.add_argument("sources", nargs="+", metavar="FILE", help="the export files")
    ingest.add_argument("-o", "--output", required=True, metavar="CASE.json",
                        help="the case file to write")
    ingest.add_argument("--into", metavar="CASE.json",
                        help="add to this case (records with the same id are merged)")
    ingest.add_argument("--problems", metavar="FILE", help="write every problem to FILE (CSV)")
    ingest.add_argument("--conflicts", metavar="FILE",
                        help="write the conflicting values to FILE (CSV)")
    ingest.add_argument("--lenient", action="store_true",
                        help="load the good rows even when some are bad (default: load "
                             "nothing if any row is bad)")
    ingest.add_argument("--agency", help="who supplied the files")
    ingest.add_argument("--reliability", choices=list("ABCDEF"),
                        help="Admiralty grading of the source (A..F)")
    ingest.add_argument("--credibility", type=int, metavar="1-6",
                        help="Admiralty grading of the information (1..6)")
    ingest.add_argument("--encoding", help="the files' encoding (default: detected)")
    ingest.add_argument("--case-id", default="ingested", help="id of a new case")
    ingest.add_argument("--title", help="title of a new case")
    ingest.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress bars on standard error (default: when it is a "
                             "terminal)")
    ingest.set_defaults(run=_ingest)
    report = commands.add_parser(
        "report", help="write the case report (one HTML file)",
        description="Write the case report: one self-contained HTML file (figures inside, "
                    "nothing loaded from elsewhere) that prints well to PDF. Every figure "
                    "and table says which analysis made it and which evidence supports it.")
    report.add_argument("path", metavar="CASE.json", help="the case file")
    report.add_argument("-o", "--output", required=True, metavar="REPORT.html",
                        help="the HTML file to write")
    report.add_argument("--redact", default="internal", metavar="PROFILE",
                        help="redaction profile applied before anything is computed: "
                             "internal (default, nothing removed), prosecution (weak sources "
                             "and informants withheld) or public (names to initials, "
                             "numbers and addresses masked, witnesses removed)")
    report.add_argument("--sections", metavar="NAMES",
                        help="only these sections, comma-separated (summary, sources, "
                             "chains, org_chart, key_players, disruption, money, evidence)")
    report.set_defaults(run=_report)
    _add_export_command(commands)
    return parser


EXPORT_FORMATS = ("graphml", "gexf", "xlsx", "ftm", "anx")


def _add_export_command(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = commands.add_parser(
        "export", help="write a case for another tool (Gephi, yEd, Excel, Aleph, i2)",
        description="Write a case file as GraphML, GEXF, an Excel workbook, FollowTheMoney "
                    "entities (one JSON object per line) or an i2 Analyst's Notebook chart, "
                    "redacted for its audience.")
    export.add_argument("path", metavar="CASE.json", help="the case file")
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS,
                        help="the file format")
    export.add_argument("-o", "--output", required=True, metavar="PATH",
                        help="the file to write")
    export.add_argument("--redact", default="internal", metavar="PROFILE",
                        help="internal (default), prosecution or public")
    export.set_defaults(run=_export)


def _export(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from . import io
    from .io import export

    case = io.read_case(args.path)
    out = Path(args.output)
    if not out.parent.is_dir():
        raise UsageError(f"-o {out}: folder {out.parent} does not exist; create it first")
    if out.is_dir():
        raise UsageError(f"-o {out}: is a folder; give the file to write")
    try:
        if args.format == "ftm":
            entities = export.to_followthemoney(case, redact=args.redact)
            out.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities),
                           encoding="utf-8")
        else:
            write = {"graphml": export.write_graphml, "gexf": export.write_gexf,
                     "xlsx": export.write_workbook, "anx": export.write_anx}[args.format]
            write(case, out, redact=args.redact)
    except OSError as exc:  # no permission, disk full...
        raise UsageError(f"-o {out}: cannot write the file ({exc.strerror or exc})") from exc
    print(f"wrote {args.format} of case {case.id!r} ({args.redact}) to {out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 invalid case, 2 error)."""
    args = _parser().parse_args(argv)
    from .errors import CrimeGraphError

    try:
        return int(args.run(args))
    except (CrimeGraphError, UsageError) as exc:
        print(f"crimegraph: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
