"""Speed and memory of ``cg.ingest`` on a large waybill export, as a ratio to a naive loop.

Usage::

    python benchmarks/bench_ingest.py                  # 1,000,000 waybill rows
    python benchmarks/bench_ingest.py --rows 20000     # a quick smoke run

The run writes a waybill export of ``--rows`` rows (GB18030 CSV, the shipped ``waybills``
mapping's columns, the usual mess: three date spellings, phones with spaces and ``+86``,
quantities with units, amounts with separators and 元), then loads it two ways, each in its
own process so that each has its own peak memory:

* **naive**: what a hand-written loader does: ``pandas.read_csv`` of the whole file, a loop
  over ``itertuples()`` that parses each value in Python (dates by trying ``strptime``
  formats, amounts and quantities by stripping characters, phones with ``phonenumbers``),
  builds a Pydantic model per shipment and per new party, and a ``Case`` at the end. It
  reports no problem and keeps no provenance.
* **ingest**: ``cg.ingest(path, "waybills")``: streamed in chunks, parsed column by column,
  every bad row reported, provenance and evidence on every record.

Printed: seconds and rows/s of each, the ratio (naive / ingest), and the peak resident memory
of each process above its baseline after imports, per row. The processor seconds of each are
printed too: on a machine shared with other work, their ratio moves less than the wall-clock
one. The script never fails on time.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["运单号", "寄件时间", "承运公司", "运单状态", "寄件单位", "寄件人", "寄件人电话",
          "寄件地址", "收件单位", "收件人", "收件人电话", "收件地址", "货物名称", "件数", "货值",
          "运费", "备注"]
PRODUCTS = ["美孚一号 5W-30 全合成机油 4L", "美孚一号 0W-40 全合成机油 4L", "壳牌喜力 HX7 5W-40 4L",
            "壳牌喜力 HX8 5W-30 1L", "嘉实多极护 5W-40 4L"]


def write_export(path: Path, rows: int, seed: int = 7) -> None:
    """A waybill export of ``rows`` rows: 2,000 sending premises, 5,000 receiving companies."""
    rng = random.Random(seed)
    premises = [(f"经手人{i}", f"138{i:08d}", f"某省某市某区仓储园 {i} 号库") for i in range(2_000)]
    companies = [(f"某某汽配商行{i:05d}", f"139{i:08d}", f"某市某路 {i} 号") for i in range(5_000)]
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        buffer: list[list[str]] = []
        for n in range(rows):
            contact, phone, address = premises[rng.randrange(len(premises))]
            company, phone2, address2 = companies[rng.randrange(len(companies))]
            month, day, hour, minute = rng.randint(1, 12), rng.randint(1, 28), rng.randint(
                0, 23), rng.randint(0, 59)
            style = n % 3
            sent = (f"2024/{month}/{day} {hour}:{minute:02d}" if style == 0 else
                    f"2024-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:00" if style == 1 else
                    f"2024年{month}月{day}日 {hour}时{minute:02d}分")
            phone = (f"{phone[:3]} {phone[3:7]} {phone[7:]}" if n % 2 else f"+86-{phone}")
            quantity = rng.randint(1, 400)
            value = quantity * 115.0
            buffer.append([f"HY{n:010d}", sent, "恒运物流有限公司", "已签收", "", contact, phone,
                           address, company, company, phone2, address2,
                           PRODUCTS[n % len(PRODUCTS)], f"{quantity}桶" if n % 2 else str(quantity),
                           f"{value:,.2f}元", "120", ""])
            if len(buffer) == 50_000:
                writer.writerows(buffer)
                buffer.clear()
        writer.writerows(buffer)


def naive(path: Path) -> int:
    """A hand-written loader: read_csv, itertuples, Python parsing, a model per row."""
    import re
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import pandas as pd
    import phonenumbers

    import crimegraph as cg

    tz = ZoneInfo("Asia/Shanghai")
    frame = pd.read_csv(path, encoding="gb18030", dtype=str, keep_default_na=False)
    frame.columns = [f"c{i}" for i in range(len(frame.columns))]
    formats = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")

    def when(text: str) -> datetime:
        text = re.sub(r"[年/]", "-", text).replace("月", "-").replace("日", "")
        text = text.replace("时", ":").replace("分", "")
        for fmt in formats:
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=tz)
            except ValueError:
                continue
        raise ValueError(text)

    def phone(text: str) -> str:
        number = phonenumbers.parse(text, "CN")
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))

    persons: dict[str, cg.Person] = {}
    organizations: dict[str, cg.Organization] = {}
    warehouses: dict[str, cg.Warehouse] = {}
    products: dict[str, cg.Product] = {}
    transactions: list[cg.Transaction] = []
    carrier = cg.Organization(id="org:恒运物流有限公司", name="恒运物流有限公司", kind="logistics")
    organizations[carrier.id] = carrier
    for row in frame.itertuples(index=False):
        if row.c3 == "已取消":
            continue
        source = "addr:" + re.sub(r"\s+", "", row.c7)
        if source not in warehouses:
            warehouses[source] = cg.Warehouse(id=source, name=row.c7, address=row.c7)
        person = "tel:" + phone(row.c6)
        if person not in persons:
            persons[person] = cg.Person(id=person, name=row.c5, phones=[person[4:]])
        target = "org:" + row.c8
        if target not in organizations:
            organizations[target] = cg.Organization(id=target, name=row.c8, address=row.c11,
                                                    attributes={"phone": phone(row.c10)})
        product = "prod:" + row.c12
        if product not in products:
            products[product] = cg.Product(id=product, name=row.c12)
        quantity = float(re.sub(r"[^\d.]", "", row.c13))
        amount = float(row.c14.replace(",", "").replace("元", "")) if row.c14 else None
        transactions.append(cg.Transaction(
            id="wb:" + row.c0, kind="shipment", source=source, target=target,
            timestamp=when(row.c1), product=product, quantity=quantity, amount=amount,
            carrier=carrier.id, reference=row.c0))
    case = cg.Case(persons=list(persons.values()), organizations=list(organizations.values()),
                   warehouses=list(warehouses.values()), products=list(products.values()),
                   transactions=transactions)
    return len(case.transactions)


def ingest(path: Path) -> int:
    import crimegraph as cg

    result = cg.ingest(path, "waybills")
    return len(result.case.transactions)


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def child(which: str, path: Path) -> None:
    import pandas  # noqa: F401  - imports count in the baseline, not in the run
    import phonenumbers  # noqa: F401

    import crimegraph as cg
    from crimegraph.io.sources import engine  # noqa: F401

    cg.load_mapping("waybills")
    before = _peak_kib()
    start, start_cpu = time.perf_counter(), time.process_time()
    count = (naive if which == "naive" else ingest)(path)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "records": count,
                      "peak_kib": _peak_kib() - before}))


def measure(which: str, path: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", which, str(path)],
                          capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "waybills.csv"
        start = time.perf_counter()
        write_export(path, args.rows)
        size = path.stat().st_size
        print(f"waybill export: {args.rows:,} rows, {size / 1e6:,.1f} MB (GB18030), written in "
              f"{time.perf_counter() - start:.1f} s")
        mine = measure("ingest", path)
        base = measure("naive", path)
    assert mine["records"] == base["records"] == args.rows, (mine, base)
    out = io.StringIO()
    for name, got in (("naive loop (itertuples + models)", base), ("cg.ingest", mine)):
        out.write(f"{name:<34} {got['seconds']:8.2f} s  {args.rows / got['seconds']:>10,.0f} "
                  f"rows/s  peak +{got['peak_kib'] / 1024:,.0f} MiB "
                  f"({got['peak_kib'] * 1024 / args.rows:,.0f} B/row)  "
                  f"[{got['cpu']:.2f} s of processor time]\n")
    out.write(f"speed-up: ingest is {base['seconds'] / mine['seconds']:.1f}x the naive loop "
              f"({base['cpu'] / mine['cpu']:.1f}x in processor time)\n")
    out.write(f"memory: ingest peaks at {mine['peak_kib'] / max(base['peak_kib'], 1):.2f}x the "
              "naive loop's\n")
    print(out.getvalue(), end="")


if __name__ == "__main__":
    main()
