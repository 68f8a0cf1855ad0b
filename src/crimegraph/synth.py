"""Deterministic synthetic cases of a counterfeit-goods ring, for tests and benchmarks.

:func:`generate_case_data` draws a realistic case file (the plain ``dict`` a case's JSON parses
to) with exactly the number of transactions asked for, from tens to millions;
:func:`generate_case` validates it into a :class:`~crimegraph.Case`. The same
``(n_transactions, seed, n_people)`` always gives the same data (with the same numpy version).

:class:`StockLedger` is the simulator for cases written by hand, such as the bundled examples:
it moves goods one shipment at a time out of each place's stock, so a place only ships what it
holds.

The ring
--------
Goods flow down four tiers, each product batch along one *chain*::

    source (production den, Warehouse "S...")  ->  warehouse (storage, "W...")
        ->  distributor (Organization kind "distributor", "D...")  ->  shop (kind "shop", "R...")

* Exactly ``n_transactions`` transactions: ``n // 10`` payments, the rest shipments.
* 95 % of the shipments come from product chains: one source ships a batch of one product to a
  warehouse, which splits it among 1-3 distributors, each of which supplies 1-5 shops. Times
  rise hop by hop, except about 2 % of hops that are recorded out of order.
* 5 % are lateral transfers (warehouse -> warehouse, distributor -> distributor) and returns
  (shop -> distributor), which close cycles.
* Payments go upstream: shop -> distributor, distributor -> the owner of the warehouse that
  supplied it, warehouse owner -> source owner (person to person).
* Ten provinces; 85 % of trading partners are picked inside the sender's province. Source
  popularity is Zipf-like and the busiest source (most outgoing shipments) is ``"S0000000"``.
* People (``n_people``, default ``max(30, n // 20)``) form gangs of about 25, each with one
  ``role="leader"`` who ``leads`` every other member. Every source, warehouse and distributor
  has an owner (``owns``) and an operator (``operates``); sources and distributors ``employ``
  workers; about ``4 * n_people`` ``calls`` ties (``weight`` = number of calls, 80 % inside a
  gang) link the people.
* A handful of evidence records (waybill batches, bank records, a wiretap, a seizure, an asset
  freeze, an inspection), each referenced by a small share of the records.
* Timestamps are whole seconds in 2024 (local time, written with the ``+08:00`` offset), and the
  transactions are listed in time order like a ledger; their ids follow that order.

Ids: sources ``S%07d``, warehouses ``W%07d``, distributors ``D%07d``, shops ``R%07d``, persons
``PER%07d``, products ``PRD%04d``, transactions ``T%09d``, relationships ``L%08d``, evidence
``EV%04d``. Gangs are named in each person's ``attributes["gang"]`` (``G%05d``).

Examples
--------
>>> from crimegraph.synth import generate_case
>>> case = generate_case(500, seed=3)
>>> len(case.transactions), case.warehouses[0].id
(500, 'S0000000')
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from ._gc import gc_paused
from .errors import InvalidArgument, WrongArgumentType
from .model import Case, Transaction

__all__ = ["StockLedger", "generate_case", "generate_case_data", "synthetic_sizes"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
_Row = dict[str, Any]

# -- geography -----------------------------------------------------------------------------
_PROVINCES: tuple[str, ...] = (
    "Guangdong", "Zhejiang", "Jiangsu", "Fujian", "Shandong",
    "Hebei", "Henan", "Hunan", "Guangxi", "Anhui",
)
_PROVINCE_WEIGHTS = np.array([0.16, 0.13, 0.11, 0.10, 0.10, 0.09, 0.09, 0.08, 0.07, 0.07])
_CITIES: tuple[tuple[str, str, str], ...] = (
    ("Guangzhou", "Shenzhen", "Dongguan"),
    ("Hangzhou", "Yiwu", "Wenzhou"),
    ("Nanjing", "Suzhou", "Xuzhou"),
    ("Fuzhou", "Xiamen", "Putian"),
    ("Jinan", "Qingdao", "Linyi"),
    ("Shijiazhuang", "Baoding", "Handan"),
    ("Zhengzhou", "Luoyang", "Nanyang"),
    ("Changsha", "Hengyang", "Shaoyang"),
    ("Nanning", "Liuzhou", "Yulin"),
    ("Hefei", "Fuyang", "Bengbu"),
)
_CENTRES = np.array([
    (23.1, 113.3), (29.2, 120.1), (32.9, 119.4), (26.1, 118.3), (36.4, 118.4),
    (38.0, 114.5), (34.2, 113.6), (27.6, 111.7), (23.6, 108.3), (31.8, 117.2),
])
_VILLAGES = (
    "Xinglong", "Dazhuang", "Hougou", "Liujia", "Shangzhuang", "Beiwang", "Nanhu", "Qianjin",
    "Shuangmiao", "Gaojia", "Xiaoli", "Dongfeng",
)
_FIRM_WORDS = (
    "Hengtong", "Xinda", "Jinma", "Huafeng", "Longsheng", "Tianyi", "Ruixiang", "Hongyun",
    "Fuxing", "Shengda", "Yongfa", "Dacheng", "Jiahe", "Baoli", "Wanfu", "Kaiyuan",
)
_SHOP_TYPES = (
    "Auto Parts", "Tobacco & Liquor", "Supermarket", "Convenience Store", "Cosmetics",
    "Mother & Baby", "Car Care", "Wholesale Stall",
)

# -- people -------------------------------------------------------------------------------
_SURNAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
    "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo", "Zheng", "Liang", "Xie", "Song",
    "Tang", "Han", "Feng", "Deng", "Cao", "Peng",
)
_GIVEN_NAMES = (
    "Wei", "Fang", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang", "Yong", "Yan", "Jie",
    "Tao", "Ming", "Chao", "Xiuying", "Xia", "Ping", "Gang", "Hui", "Jianguo", "Jianhua",
    "Guoqiang", "Zhiqiang", "Haiyan", "Xiaohong", "Dongmei", "Lihua", "Hongmei", "Jianjun",
    "Wenjie", "Zhiyong", "Xiaoming", "Chunhua", "Yufeng", "Haitao", "Jinlong", "Shuang",
)
_MEMBER_ROLES = (
    "driver", "bookkeeper", "salesman", "warehouse keeper", "producer", "courier", "buyer",
    "labeller",
)
_PHONE_PREFIXES = (138, 139, 150, 151, 158, 159, 186, 187, 136, 137, 177, 199)

# -- goods: (name, brand, category, unit, unit price in CNY, typical batch from a den) ------
_CATALOGUE: tuple[tuple[str, str, str, str, float, int], ...] = (
    *(
        (f"{brand} {grade} engine oil", brand, "engine oil", unit, price, batch)
        for brand, base in (("Mobil", 1.0), ("Shell", 0.95), ("Castrol", 0.9), ("Total", 0.85))
        for grade, unit, price, batch in (
            ("5W-30 4L", "bottle", round(420 * base), 800),
            ("10W-40 4L", "bottle", round(300 * base), 900),
            ("0W-20 1L", "bottle", round(110 * base), 1500),
        )
    ),
    *(
        (f"{name} {size}", brand, "liquor", unit, price, batch)
        for name, brand, base in (
            ("Moutai Feitian 53%", "Moutai", 2700), ("Wuliangye 52%", "Wuliangye", 1100),
            ("Fenjiu Qinghua 20", "Fenjiu", 450), ("Yanghe Dream Blue M6", "Yanghe", 600),
            ("Luzhou Laojiao 1573", "Luzhou Laojiao", 1000),
            ("Jiannanchun", "Jiannanchun", 420),
        )
        for size, unit, price, batch in (
            ("500ml", "bottle", base, 240), ("gift box 6x500ml", "case", base * 6, 40),
        )
    ),
    *(
        (f"{brand} cigarettes ({pack})", brand, "tobacco", "carton", price, 200)
        for brand, base in (
            ("Chunghwa", 450), ("Furongwang", 280), ("Yuxi", 230), ("Huanghelou", 250),
        )
        for pack, price in (("hard pack", base), ("soft pack", round(base * 1.4)))
    ),
    *(
        (f"{brand} {item}", brand, "cosmetics", "bottle", price, 500)
        for brand, item, price in (
            ("Lancome", "Advanced Genifique serum 50ml", 1080),
            ("Lancome", "Absolue cream 60ml", 1650),
            ("Estee Lauder", "Advanced Night Repair 50ml", 750),
            ("Estee Lauder", "Double Wear foundation", 420),
            ("SK-II", "Facial Treatment Essence 230ml", 1540),
            ("SK-II", "Skinpower cream 80g", 1290),
        )
    ),
    *(
        (f"{brand} infant formula stage {stage}", brand, "infant formula", "can", price, 600)
        for brand, base in (("Aptamil", 330), ("Feihe", 280))
        for stage, price in ((1, base + 20), (2, base), (3, base - 20))
    ),
    ("Bosch brake pads (front set)", "Bosch", "auto parts", "set", 260, 300),
    ("NGK iridium spark plugs (box of 4)", "NGK", "auto parts", "box", 220, 400),
    ("Michelin wiper blades (pair)", "Michelin", "auto parts", "pair", 130, 600),
    ("Mann cabin air filter", "Mann", "auto parts", "piece", 90, 800),
    ("Nike Air Jordan 1 sneakers", "Nike", "footwear", "pair", 1300, 150),
    ("Ray-Ban Aviator sunglasses", "Ray-Ban", "accessories", "piece", 1200, 200),
)

# -- time ---------------------------------------------------------------------------------
_START_DAY = np.datetime64("2024-01-01", "D")
_SPAN_DAYS = 366  # 2024 is a leap year: the case covers 2024-01-01 .. 2024-12-31
_DAY = 86_400
_HOUR = 3_600
_SPAN = _SPAN_DAYS * _DAY
_OFFSET = "+08:00"

# Price paid per unit at each hop, as a share of the product's retail unit price.
_LEVEL_SOURCE, _LEVEL_WAREHOUSE, _LEVEL_DISTRIBUTOR = 0.25, 0.45, 0.70

_LOCAL_SHARE = 0.85
_OUT_OF_ORDER = 0.02
_GANG_SIZE = 25
_CALLS_PER_PERSON = 4
_CALLS_IN_GANG = 0.80


def synthetic_sizes(n_transactions: int, *, n_people: int | None = None) -> dict[str, int]:
    """How many records of each kind :func:`generate_case_data` makes for ``n_transactions``.

    Parameters
    ----------
    n_transactions : int
        Total number of transactions (shipments and payments), 0 or more.
    n_people : int, optional
        Number of persons; ``max(30, n_transactions // 20)`` when omitted.

    Returns
    -------
    dict of str to int
        Counts of ``sources``, ``warehouses``, ``distributors``, ``shops``, ``persons``,
        ``gangs``, ``products``, ``evidence``, ``shipments``, ``payments`` and ``lateral``
        (lateral transfers and returns, part of the shipments).

    Examples
    --------
    >>> sizes = synthetic_sizes(1_000_000)
    >>> sizes["sources"], sizes["warehouses"], sizes["distributors"], sizes["shops"]
    (300, 2000, 10000, 50000)
    >>> synthetic_sizes(50)["shipments"], synthetic_sizes(50)["payments"]
    (45, 5)
    """
    n = _count(n_transactions, "n_transactions")
    people = max(30, n // 20) if n_people is None else _count(n_people, "n_people")
    if people < 2:
        raise InvalidArgument(
            f"n_people must be at least 2 (an owner and an operator), got {people}")
    payments = n // 10
    shipments = n - payments
    return {
        "sources": 300 if n >= 100_000 else max(2, n * 300 // 100_000),
        "warehouses": max(min(5, 1 + n // 10), n // 500),
        "distributors": max(min(10, 1 + n // 5), n // 100),
        "shops": max(min(20, 1 + n // 2), n // 20),
        "persons": people,
        "gangs": max(1, round(people / _GANG_SIZE)),
        "products": min(50, 20 + n // 30_000),
        "evidence": 6 + min(14, n // 50_000),
        "shipments": shipments,
        "payments": payments,
        "lateral": shipments * 5 // 100,
    }


def generate_case(
    n_transactions: int, seed: int = 0, *, n_people: int | None = None
) -> Case:
    """A validated synthetic case: ``Case.model_validate(generate_case_data(...))``.

    Parameters
    ----------
    n_transactions : int
        Exact number of transactions (about 90 % shipments, 10 % payments).
    seed : int, default 0
        Seed of the random draws (a non-negative integer); the same arguments give the same case.
    n_people : int, optional
        Number of persons; ``max(30, n_transactions // 20)`` when omitted.

    Returns
    -------
    Case
        The case; see the module documentation for what it contains.

    Examples
    --------
    >>> from crimegraph.synth import generate_case
    >>> case = generate_case(50)
    >>> len(case.transactions), case.transactions[0].timestamp.isoformat()[:4]
    (50, '2024')
    """
    with gc_paused():  # one pause over generation and validation: the collector runs once
        return Case.model_validate(generate_case_data(n_transactions, seed, n_people=n_people))


def generate_case_data(
    n_transactions: int, seed: int = 0, *, n_people: int | None = None
) -> dict[str, Any]:
    """The raw case file of a synthetic counterfeit-goods ring, as JSON-ready data.

    The result looks exactly like a parsed case file: lists of dicts, ids as strings and
    timestamps as ISO strings with the ``+08:00`` offset, so benchmarks can time validation
    (``cg.Case.model_validate(data)``) separately from generation. A million transactions take
    a few seconds.

    Parameters
    ----------
    n_transactions : int
        Exact number of transactions: ``n // 10`` payments, the rest shipments.
    seed : int, default 0
        Seed of the random draws (a non-negative integer); the same arguments always give equal
        data, different seeds give different data.
    n_people : int, optional
        Number of persons (at least 2); ``max(30, n_transactions // 20)`` when omitted.

    Returns
    -------
    dict
        Keys ``id``, ``title``, ``description``, ``timezone``, ``currency``, ``attributes``,
        ``persons``, ``organizations``, ``warehouses``, ``products``, ``transactions``,
        ``relationships`` and ``evidence``.

    Raises
    ------
    ValueError
        If ``n_transactions`` or ``seed`` is negative, or ``n_people`` is below 2.

    Examples
    --------
    >>> from crimegraph.synth import generate_case_data
    >>> data = generate_case_data(200, seed=1)
    >>> len(data["transactions"])
    200
    >>> data["transactions"][0]["timestamp"]  # doctest: +ELLIPSIS
    '2024-...+08:00'
    >>> data == generate_case_data(200, seed=1)
    True
    """
    n = _count(n_transactions, "n_transactions")
    seed = _count(seed, "seed")
    sizes = synthetic_sizes(n, n_people=n_people)
    with gc_paused():
        return _generate(n, seed, sizes)


def _generate(n: int, seed: int, sizes: dict[str, int]) -> dict[str, Any]:
    streams = np.random.SeedSequence([seed, 0x5EED]).spawn(7)
    rng_world, rng_social, rng_chain, rng_lateral, rng_pay, rng_evidence, rng_names = (
        np.random.default_rng(s) for s in streams
    )
    world = _World(sizes, rng_world)
    social = _Social(world, rng_social)
    ledger = _Flows(world, social)
    ledger.add_chains(sizes["shipments"] - sizes["lateral"], rng_chain)
    ledger.add_lateral(sizes["lateral"], rng_lateral)
    ledger.add_payments(sizes["payments"], rng_pay)
    transactions = ledger.records()
    relationships = social.records()
    persons, organizations, warehouses, products = world.records(social, rng_names)
    evidence = _attach_evidence(
        world, social, transactions, relationships, persons + organizations + warehouses,
        rng_evidence,
    )
    return {
        "id": f"synth-{n}-{seed}",
        "title": f"Synthetic counterfeit-goods ring ({n:,} transactions, seed {seed})",
        "description": (
            "Generated by crimegraph.synth: production dens ship product batches through "
            "storage warehouses and distributors to shops; every name is invented."
        ),
        "timezone": "Asia/Shanghai",
        "currency": "CNY",
        "attributes": {"generator": "crimegraph.synth", "seed": seed, "n_transactions": n},
        "persons": persons,
        "organizations": organizations,
        "warehouses": warehouses,
        "products": products,
        "transactions": transactions,
        "relationships": relationships,
        "evidence": evidence,
    }


# -- a stock ledger, one record at a time ------------------------------------------------------
class StockLedger:
    """Goods and money moving through a ring one record at a time, with every place's stock.

    The simulator behind the bundled example cases: a case builder makes goods at a den
    (:meth:`produce`), moves them on (:meth:`ship`) and records the money (:meth:`pay`). The
    ledger keeps the stock of every place and product, so a place only ships what it holds:
    shipments respect time order and flows balance, except where the builder plants an anomaly
    on purpose (``ship(..., limit=False)``, or :meth:`produce` at a place that makes nothing,
    standing for an undiscovered supplier). :meth:`transactions` numbers the records in time
    order by the rule :func:`generate_case_data` numbers its transactions by: equal times keep
    the order they were recorded in.

    Records are plain case-file dicts (``shipments``, ``payments``) until :meth:`transactions`
    turns them into :class:`~crimegraph.Transaction` objects; a builder may still add to a
    record's ``attributes`` before that.

    Parameters
    ----------
    prices : mapping of str to mapping of str to float
        Price lists by level (``"distributor"``, ``"shop"``, ...), each mapping a product id to
        its unit price at that level. A shipment at a level is worth quantity x that price.
    packs : mapping of str to int, optional
        Units per pack (carton, case) by product: shipments move whole packs. 1 for a product
        not listed.
    rng : random.Random, optional
        Draws the waybill and bank reference numbers; ``random.Random(0)`` when omitted.
    waybill_prefix : str, default "WB"
        Letters that start the waybill number of a shipment with a carrier.
    currency : str, default "CNY"
        Currency of the payments.

    Attributes
    ----------
    stock : dict of (str, str) to float
        Units on hand by (place, product).
    shipments, payments : list of dict
        The records so far, in the order they were recorded.

    Raises
    ------
    InvalidArgument
        If a pack size is below 1.

    Examples
    --------
    >>> from datetime import datetime
    >>> from crimegraph.synth import StockLedger
    >>> ledger = StockLedger({"shop": {"P-OIL": 150.0}}, packs={"P-OIL": 4})
    >>> ledger.produce("W-DEN", "P-OIL", 10)
    >>> ledger.ship("W-DEN", "W-HUB", "P-OIL", 100, datetime(2024, 1, 2, 9), None)
    8.0
    >>> ledger.ship("W-HUB", "SHOP-1", "P-OIL", 4, datetime(2024, 1, 3, 9), "shop")
    4.0
    >>> ledger.on_hand("W-DEN", "P-OIL"), ledger.on_hand("W-HUB", "P-OIL")
    (2.0, 4.0)
    >>> [(t.id, t.target, t.quantity, t.amount) for t in ledger.transactions()]
    [('SHP-0001', 'W-HUB', 8.0, None), ('SHP-0002', 'SHOP-1', 4.0, 600.0)]

    Only 10 barrels were made, so the den could ship two packs of four (8), not 100.
    """

    def __init__(
        self, prices: Mapping[str, Mapping[str, float]], *,
        packs: Mapping[str, int] | None = None, rng: random.Random | None = None,
        waybill_prefix: str = "WB", currency: str = "CNY",
    ) -> None:
        for product, pack in (packs or {}).items():
            if isinstance(pack, bool) or not isinstance(pack, int) or pack < 1:
                raise InvalidArgument(
                    f"packs[{product!r}] must be a whole number of units, 1 or more; got {pack!r}")
        self.prices = {level: dict(table) for level, table in prices.items()}
        self.packs = dict(packs or {})
        self.rng = rng if rng is not None else random.Random(0)
        self.waybill_prefix = waybill_prefix
        self.currency = currency
        self.stock: dict[tuple[str, str], float] = {}
        self.shipments: list[dict[str, Any]] = []
        self.payments: list[dict[str, Any]] = []

    def on_hand(self, place: str, product: str) -> float:
        """Units of ``product`` at ``place`` now."""
        return self.stock.get((place, product), 0.0)

    def packed(self, product: str, quantity: float) -> int:
        """``quantity`` rounded down to whole packs of ``product``."""
        pack = self.packs.get(product, 1)
        return int(quantity // pack) * pack

    def produce(self, place: str, product: str, quantity: float) -> None:
        """Add ``quantity`` units to the stock at ``place`` without a shipment (goods made
        there, or bought from a supplier the case never finds)."""
        if quantity < 0:
            raise InvalidArgument(
                f"produce({place!r}, {product!r}): quantity must be 0 or more, got {quantity}")
        self.stock[(place, product)] = self.on_hand(place, product) + quantity

    def ship(
        self, source: str, target: str, product: str, want: float, when: datetime,
        level: str | None, *, carrier: str | None = None, driver: str | None = None,
        evidence: Sequence[str] = (), limit: bool = True,
        attributes: Mapping[str, Any] | None = None,
    ) -> float:
        """Ship up to ``want`` units in whole packs; the quantity shipped (0.0: nothing).

        With ``limit`` (the default) no more leaves than ``source`` holds. The shipment is a
        sale at the price level ``level`` (``amount`` = quantity x price, and
        ``attributes.price_level``), or an internal transfer when ``level`` is None (no
        amount, ``attributes.transfer = "internal"``). A ``carrier`` gets a waybill number in
        ``reference``; a ``driver`` is kept in ``attributes.driver``.

        Raises
        ------
        InvalidArgument
            If ``level`` names no price list, or that list has no price for ``product``.
        """
        if level is not None and product not in self.prices.get(level, {}):
            known = ", ".join(sorted(self.prices)) or "none"
            raise InvalidArgument(
                f"ship {source!r} -> {target!r}: no {level!r} price for product {product!r} "
                f"(price levels: {known})")
        qty = self.packed(product, want)
        if limit:
            qty = min(qty, self.packed(product, self.on_hand(source, product)))
        if qty <= 0:
            return 0.0
        self.stock[(source, product)] = self.on_hand(source, product) - qty
        self.stock[(target, product)] = self.on_hand(target, product) + qty
        record: dict[str, Any] = {
            "kind": "shipment", "source": source, "target": target, "timestamp": when,
            "product": product, "quantity": float(qty),
        }
        attrs = dict(attributes or {})
        if level is None:
            attrs["transfer"] = "internal"
        else:
            record["amount"] = float(qty * self.prices[level][product])
            attrs["price_level"] = level
        if carrier is not None:
            record["carrier"] = carrier
            record["reference"] = f"{self.waybill_prefix}{self.rng.randrange(10**9, 10**10)}"
        if driver is not None:
            attrs["driver"] = driver
        if attrs:
            record["attributes"] = attrs
        if evidence:
            record["evidence"] = list(evidence)
        self.shipments.append(record)
        return float(qty)

    def pay(
        self, source: str, target: str, amount: float, when: datetime, *,
        evidence: Sequence[str] = (), channel: str = "bank transfer", notes: str | None = None,
    ) -> None:
        """Record a payment of ``amount`` with a bank reference and its ``channel``."""
        record: dict[str, Any] = {
            "kind": "payment", "source": source, "target": target, "timestamp": when,
            "amount": float(amount), "currency": self.currency,
            "reference": f"BK{when:%Y%m%d}{self.rng.randrange(10**7, 10**8)}",
            "attributes": {"channel": channel},
        }
        if evidence:
            record["evidence"] = list(evidence)
        if notes:
            record["notes"] = notes
        self.payments.append(record)

    def value_received(self, target: str, start: date, end: date) -> float:
        """Value of the shipments ``target`` received on the days ``start`` <= day < ``end``."""
        value: float = sum(
            s.get("amount", 0.0) for s in self.shipments
            if s["target"] == target and start <= s["timestamp"].date() < end
        )
        return value

    def shipped_before_arrival(self, exempt: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The shipments that left a place before anything had arrived there, in time order.

        Places in ``exempt`` (dens that make the goods, outside suppliers) are never reported.
        A ledger whose builder planted no anomaly gives an empty list.
        """
        skip = set(exempt)
        first_in: dict[str, datetime] = {}
        early = []
        for i in _time_order([s["timestamp"] for s in self.shipments]).tolist():
            shipment = self.shipments[i]
            source, when = shipment["source"], shipment["timestamp"]
            arrived = first_in.get(source)
            if source not in skip and (arrived is None or arrived >= when):
                early.append(shipment)
            first_in.setdefault(shipment["target"], when)
        return early

    def transactions(
        self, ship_prefix: str = "SHP-", pay_prefix: str = "PAY-"
    ) -> list[Transaction]:
        """Every record as a transaction: shipments, then payments, each numbered in time order
        from 1 (``SHP-0001``...); equal times keep the order they were recorded in. Each
        record's ``id`` is set to its number too."""
        out: list[Transaction] = []
        for prefix, records in ((ship_prefix, self.shipments), (pay_prefix, self.payments)):
            order = _time_order([r["timestamp"] for r in records]).tolist()
            for number, i in enumerate(order, start=1):
                records[i]["id"] = f"{prefix}{number:04d}"
                out.append(Transaction(**records[i]))
        return out


def _time_order(times: Sequence[Any] | npt.NDArray[Any]) -> IntArray:
    """Positions that list ``times`` in time order; equal times keep their recorded order."""
    order: IntArray = np.argsort(np.asarray(times), kind="stable")
    return order


# -- helpers --------------------------------------------------------------------------------
def _count(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise WrongArgumentType(f"{name} must be an integer, got {type(value).__name__}")
    if value < 0:
        raise InvalidArgument(f"{name} must be 0 or more, got {value}")
    return int(value)


def _ids(prefix: str, width: int, count: int) -> list[str]:
    """``prefix`` + zero-padded numbers 0 .. count-1 (built from two halves: 3x faster)."""
    if width <= 3 or count <= 1000:
        return [f"{prefix}{i:0{width}d}" for i in range(count)]
    lows = [f"{low:03d}" for low in range(1000)]
    highs = [f"{prefix}{high:0{width - 3}d}" for high in range((count + 999) // 1000)]
    return [high + low for high in highs for low in lows][:count]


class _Picker:
    """Draws entities of one tier by weight, mostly inside a requested province."""

    def __init__(self, province: IntArray, weights: FloatArray) -> None:
        order = np.argsort(province, kind="stable")
        self._members = order
        self._cum = np.cumsum(weights[order])
        counts = np.bincount(province, minlength=len(_PROVINCES))
        ends = np.cumsum(counts)
        before = np.concatenate([[0.0], self._cum])
        self._low = before[ends - counts]
        self._width = before[ends] - self._low
        self._total = float(self._cum[-1])

    def pick(
        self, rng: np.random.Generator, province: IntArray, local_share: float = _LOCAL_SHARE
    ) -> IntArray:
        """One entity per requested province: local with ``local_share``, else anywhere."""
        size = len(province)
        local = (rng.random(size) < local_share) & (self._width[province] > 0)
        low = np.where(local, self._low[province], 0.0)
        width = np.where(local, self._width[province], self._total)
        spot = low + rng.random(size) * width
        found = np.searchsorted(self._cum, spot, side="right")
        return self._members[np.minimum(found, len(self._cum) - 1)].astype(np.int64)

    def pick_other(
        self, rng: np.random.Generator, province: IntArray, current: IntArray
    ) -> IntArray:
        """Like :meth:`pick`, but never ``current`` itself (for lateral transfers)."""
        chosen = self.pick(rng, province)
        same = chosen == current
        chosen[same] = (chosen[same] + 1) % len(self._members)
        return chosen


class _World:
    """The premises, organizations and products, with their provinces and popularity."""

    def __init__(self, sizes: dict[str, int], rng: np.random.Generator) -> None:
        self.sizes = sizes
        self.n_sources = sizes["sources"]
        self.n_warehouses = sizes["warehouses"]
        self.n_distributors = sizes["distributors"]
        self.n_shops = sizes["shops"]
        self.n_persons = sizes["persons"]
        # Global node numbering: persons, distributors, shops, sources, warehouses.
        self.off_distributors = self.n_persons
        self.off_shops = self.off_distributors + self.n_distributors
        self.off_sources = self.off_shops + self.n_shops
        self.off_warehouses = self.off_sources + self.n_sources
        self.node_ids = np.array(
            _ids("PER", 7, self.n_persons) + _ids("D", 7, self.n_distributors)
            + _ids("R", 7, self.n_shops) + _ids("S", 7, self.n_sources)
            + _ids("W", 7, self.n_warehouses),
            dtype=object,
        )

        def provinces(count: int) -> IntArray:
            return rng.choice(len(_PROVINCES), size=count, p=_PROVINCE_WEIGHTS).astype(np.int64)

        self.prov_sources = provinces(self.n_sources)
        self.prov_warehouses = provinces(self.n_warehouses)
        self.prov_distributors = provinces(self.n_distributors)
        self.prov_shops = provinces(self.n_shops)
        # Zipf-like source popularity by id: S0000000 is the busiest.
        self.source_weights = 1.0 / np.arange(1, self.n_sources + 1) ** 1.1
        self.source_weights /= self.source_weights.sum()
        self.warehouses = _Picker(self.prov_warehouses, rng.lognormal(0, 0.75, self.n_warehouses))
        self.distributors = _Picker(
            self.prov_distributors, rng.lognormal(0, 0.75, self.n_distributors)
        )
        self.shops = _Picker(self.prov_shops, rng.lognormal(0, 0.6, self.n_shops))

        # Products: a random selection of the catalogue, with seed-dependent prices.
        n_products = sizes["products"]
        chosen = rng.permutation(len(_CATALOGUE))[:n_products]
        self.catalogue = [_CATALOGUE[i] for i in chosen]
        noise = rng.uniform(0.9, 1.1, n_products)
        self.unit_price = np.round(
            np.array([item[4] for item in self.catalogue]) * noise * 2
        ) / 2
        self.batch = np.array([item[5] for item in self.catalogue], dtype=np.float64)
        self.product_ids = np.array(_ids("PRD", 4, n_products), dtype=object)
        # Each den makes one to three products; popular products are made by more dens.
        popularity = 1.0 / np.arange(1, n_products + 1) ** 0.8
        popularity /= popularity.sum()
        self.source_products = rng.choice(n_products, size=(self.n_sources, 3), p=popularity)
        self.source_product_count = rng.integers(1, 4, self.n_sources)

    def records(
        self, social: _Social, rng: np.random.Generator
    ) -> tuple[list[_Row], list[_Row], list[_Row], list[_Row]]:
        """The persons, organizations, premises and products of the case file."""
        city_of = [[f"{city}" for city in cities] for cities in _CITIES]

        def cities(province: IntArray) -> list[str]:
            pick = rng.integers(0, 3, len(province))
            return [city_of[p][c] for p, c in zip(province.tolist(), pick.tolist(), strict=True)]

        def words(options: tuple[str, ...], count: int) -> list[str]:
            return [options[i] for i in rng.integers(0, len(options), count).tolist()]

        # persons
        n = self.n_persons
        surname = rng.integers(0, len(_SURNAMES), n).tolist()
        given = rng.integers(0, len(_GIVEN_NAMES), n).tolist()
        phones = [
            f"{_PHONE_PREFIXES[p]}-{d // 10_000:04d}-{d % 10_000:04d}"
            for p, d in zip(
                rng.integers(0, len(_PHONE_PREFIXES), n).tolist(),
                rng.integers(0, 100_000_000, n).tolist(), strict=True,
            )
        ]
        roles = words(_MEMBER_ROLES, n)
        leader = social.is_leader.tolist()
        statuses = social.status.tolist()
        gangs = [f"G{g:05d}" for g in social.gang.tolist()]
        person_prov = social.province
        persons = []
        for i, (pid, city, prov) in enumerate(
            zip(self.node_ids[:n].tolist(), cities(person_prov), person_prov.tolist(), strict=True)
        ):
            record: dict[str, Any] = {
                "id": pid,
                "name": f"{_SURNAMES[surname[i]]} {_GIVEN_NAMES[given[i]]}",
                "province": _PROVINCES[prov],
                "city": city,
                "phones": [phones[i]],
                "role": "leader" if leader[i] else roles[i],
                "status": statuses[i],
                "attributes": {"gang": gangs[i]},
            }
            if leader[i]:
                record["aliases"] = [f"Boss {_SURNAMES[surname[i]]}"]
            persons.append(record)

        # organizations: distributors, then shops
        organizations = []
        d_ids = self.node_ids[self.off_distributors:self.off_shops].tolist()
        for did, city, prov, word in zip(
            d_ids, cities(self.prov_distributors), self.prov_distributors.tolist(),
            words(_FIRM_WORDS, self.n_distributors), strict=True,
        ):
            organizations.append({
                "id": did, "name": f"{city} {word} Trading Co.", "kind": "distributor",
                "province": _PROVINCES[prov], "city": city,
            })
        r_ids = self.node_ids[self.off_shops:self.off_sources].tolist()
        for rid, city, prov, word, kind in zip(
            r_ids, cities(self.prov_shops), self.prov_shops.tolist(),
            words(_FIRM_WORDS, self.n_shops), words(_SHOP_TYPES, self.n_shops), strict=True,
        ):
            organizations.append({
                "id": rid, "name": f"{word} {kind} ({city})", "kind": "shop",
                "province": _PROVINCES[prov], "city": city,
            })

        # premises: production dens (sources), then storage warehouses
        warehouses = []
        s_ids = self.node_ids[self.off_sources:self.off_warehouses].tolist()
        s_lat, s_lon = self._coordinates(self.prov_sources, rng)
        for sid, city, prov, village, lat, lon in zip(
            s_ids, cities(self.prov_sources), self.prov_sources.tolist(),
            words(_VILLAGES, self.n_sources), s_lat, s_lon, strict=True,
        ):
            warehouses.append({
                "id": sid, "name": f"Production den at {village} village, {city}",
                "uses": ["production"], "province": _PROVINCES[prov], "city": city,
                "lat": lat, "lon": lon,
            })
        w_ids = self.node_ids[self.off_warehouses:].tolist()
        w_lat, w_lon = self._coordinates(self.prov_warehouses, rng)
        packaging = (rng.random(self.n_warehouses) < 0.3).tolist()
        for i, (wid, city, prov, lat, lon) in enumerate(
            zip(
                w_ids, cities(self.prov_warehouses), self.prov_warehouses.tolist(), w_lat, w_lon,
                strict=True,
            )
        ):
            warehouses.append({
                "id": wid, "name": f"Warehouse {i + 1} ({city})",
                "uses": ["storage", "packaging"] if packaging[i] else ["storage"],
                "province": _PROVINCES[prov], "city": city, "lat": lat, "lon": lon,
            })

        products = [
            {
                "id": pid, "name": name, "brand": brand, "category": category,
                "counterfeit": True, "unit": unit, "unit_price": price,
            }
            for pid, (name, brand, category, unit, _, _), price in zip(
                self.product_ids.tolist(), self.catalogue, self.unit_price.tolist(), strict=True
            )
        ]
        return persons, organizations, warehouses, products

    @staticmethod
    def _coordinates(
        province: IntArray, rng: np.random.Generator
    ) -> tuple[list[float], list[float]]:
        centre = _CENTRES[province]
        lat = np.round(centre[:, 0] + rng.normal(0, 0.6, len(province)), 4)
        lon = np.round(centre[:, 1] + rng.normal(0, 0.6, len(province)), 4)
        return lat.tolist(), lon.tolist()


class _Social:
    """People in gangs, who owns and operates what, and the relationships among them."""

    def __init__(self, world: _World, rng: np.random.Generator) -> None:
        n = world.n_persons
        n_gangs = world.sizes["gangs"]
        self.world = world
        # Gangs are contiguous blocks of people; the first member of each is its leader.
        self.gang = np.arange(n, dtype=np.int64) * n_gangs // n
        self.gang_start = np.searchsorted(self.gang, np.arange(n_gangs))
        self.gang_size = np.bincount(self.gang, minlength=n_gangs)
        self.is_leader = np.zeros(n, dtype=bool)
        self.is_leader[self.gang_start] = True
        gang_province = rng.choice(len(_PROVINCES), size=n_gangs, p=_PROVINCE_WEIGHTS)
        self.province = gang_province[self.gang].astype(np.int64)
        status = rng.choice(
            np.array(["suspect", "arrested", "wanted", "unknown"], dtype=object), size=n,
            p=[0.5, 0.2, 0.1, 0.2],
        )
        status[self.is_leader] = rng.choice(
            np.array(["arrested", "wanted", "suspect"], dtype=object), size=n_gangs,
            p=[0.5, 0.3, 0.2],
        )
        self.status = status

        # Owners: leaders own most dens; members own warehouses and distributors.
        leader_bias = np.where(self.is_leader, 1.0, 0.0)
        self._rng = rng
        self.owner_sources = _Picker(self.province, 1.0 + 40.0 * leader_bias).pick(
            rng, world.prov_sources
        )
        owners = _Picker(self.province, 1.0 + 2.0 * leader_bias)
        self.owner_warehouses = owners.pick(rng, world.prov_warehouses)
        self.owner_distributors = owners.pick(rng, world.prov_distributors)
        self.operator_sources = self._gang_mate(self.owner_sources)
        self.operator_warehouses = self._gang_mate(self.owner_warehouses)
        self.operator_distributors = self._gang_mate(self.owner_distributors)

    def _gang_mate(self, person: IntArray) -> IntArray:
        """Another member of each person's gang (the person itself in a gang of one)."""
        gang = self.gang[person]
        size = self.gang_size[gang]
        start = self.gang_start[gang]
        step = 1 + np.floor(self._rng.random(len(person)) * np.maximum(size - 1, 1)).astype(
            np.int64
        )
        return (start + (person - start + step) % size).astype(np.int64)

    def records(self) -> list[dict[str, Any]]:
        """owns, operates, employs, leads and calls relationships, with ids L%08d."""
        world, rng = self.world, self._rng
        source_nodes = np.arange(world.n_sources) + world.off_sources
        warehouse_nodes = np.arange(world.n_warehouses) + world.off_warehouses
        distributor_nodes = np.arange(world.n_distributors) + world.off_distributors
        premises = np.concatenate([source_nodes, warehouse_nodes, distributor_nodes])
        owner = np.concatenate([
            self.owner_sources, self.owner_warehouses, self.owner_distributors
        ])
        operator = np.concatenate([
            self.operator_sources, self.operator_warehouses, self.operator_distributors
        ])
        # Dens employ two workers, distributors one salesman, all from the owner's gang.
        employer = np.concatenate([np.repeat(source_nodes, 2), distributor_nodes])
        employee = self._gang_mate(np.concatenate([
            np.repeat(self.owner_sources, 2), self.owner_distributors
        ]))
        # Leaders lead every other member of their gang.
        members = np.flatnonzero(~self.is_leader)
        leaders = self.gang_start[self.gang[members]]
        # Calls: leaders call more; most calls stay inside the gang.
        n_calls = _CALLS_PER_PERSON * world.n_persons
        callers = _Picker(
            np.zeros(world.n_persons, dtype=np.int64),
            np.where(self.is_leader, 4.0, 1.0),
        ).pick(rng, np.zeros(n_calls, dtype=np.int64), local_share=1.0)
        inside = rng.random(n_calls) < _CALLS_IN_GANG
        anyone = rng.integers(0, world.n_persons, n_calls)
        anyone = np.where(anyone == callers, (anyone + 1) % world.n_persons, anyone)
        callees = np.where(inside, self._gang_mate(callers), anyone)
        callees = np.where(callees == callers, (callers + 1) % world.n_persons, callees)
        counts = np.where(
            inside, rng.geometric(1 / 20, n_calls), rng.geometric(1 / 5, n_calls)
        )

        kinds = (
            ["owns"] * len(premises) + ["operates"] * len(premises)
            + ["employs"] * len(employer) + ["leads"] * len(members)
        )
        sources = np.concatenate([owner, operator, employer, leaders, callers])
        targets = np.concatenate([premises, premises, employee, members, callees])
        n_plain = len(kinds)
        ids = _ids("L", 8, n_plain + n_calls)
        src = world.node_ids[sources].tolist()
        tgt = world.node_ids[targets].tolist()
        records = [
            {"id": rid, "kind": kind, "source": s, "target": t}
            for rid, kind, s, t in zip(
                ids[:n_plain], kinds, src[:n_plain], tgt[:n_plain], strict=True
            )
        ]
        records += [
            {"id": rid, "kind": "calls", "source": s, "target": t, "weight": w}
            for rid, s, t, w in zip(
                ids[n_plain:], src[n_plain:], tgt[n_plain:], counts.tolist(), strict=True
            )
        ]
        return records


class _Flows:
    """The transactions, drawn as numpy columns and written out in time order.

    Whole chains are drawn at once, each hop's quantity split from its parent's, so no
    place's stock is tracked here; :class:`StockLedger` is the ledger that keeps stock, one
    record at a time. Both number their records by the same rule (:func:`_time_order`).
    """

    def __init__(self, world: _World, social: _Social) -> None:
        self.world = world
        self.social = social
        self._columns: list[
            tuple[IntArray, IntArray, IntArray, IntArray, IntArray, FloatArray]
        ] = []
        # Chain hops (tier-local indices) kept for lateral transfers and payments.
        self.hops: list[dict[str, Any]] = []

    def _add(
        self, source: IntArray, target: IntArray, time: IntArray, product: IntArray,
        quantity: IntArray, amount: FloatArray,
    ) -> None:
        self._columns.append((source, target, time, product, quantity, amount))

    def _value(self, quantity: IntArray, product: IntArray, level: float) -> FloatArray:
        value: FloatArray = np.round(quantity * self.world.unit_price[product] * level, 2)
        return value

    # -- product chains ---------------------------------------------------------------------
    def add_chains(self, count: int, rng: np.random.Generator) -> None:
        """``count`` shipments along source -> warehouse -> distributor -> shop chains."""
        world = self.world
        if count <= 0:
            return
        # Fan-out of every chain: 1-3 distributors per batch, 1-5 shops per distributor.
        fan1: list[IntArray] = []
        fan2: list[IntArray] = []
        total = 0
        while total < count:
            more = math.ceil((count - total) / 8.0 * 1.1) + 4
            b = 1 + rng.binomial(2, 0.5, more)
            c = 1 + np.minimum(rng.poisson(1.5, int(b.sum())), 4)
            fan1.append(b)
            fan2.append(c)
            per_chain = np.add.reduceat(c, np.cumsum(b) - b)
            total += int((1 + b + per_chain).sum())
        b = np.concatenate(fan1).astype(np.int64)
        c = np.concatenate(fan2).astype(np.int64)
        per_chain = np.add.reduceat(c, np.cumsum(b) - b)
        cum = np.cumsum(1 + b + per_chain)
        m = int(np.searchsorted(cum, count, side="left")) + 1
        keep_last = count - (int(cum[m - 2]) if m >= 2 else 0)  # records of the last chain
        b = b[:m]
        n1 = int(b.sum())
        c = c[:n1]
        chain1 = np.repeat(np.arange(m), b)
        rank1 = np.arange(n1) - np.repeat(np.cumsum(b) - b, b)
        parent2 = np.repeat(np.arange(n1), c)
        chain2 = chain1[parent2]
        per_chain = np.bincount(chain1, weights=c, minlength=m).astype(np.int64)
        rank2 = np.arange(len(parent2)) - (np.cumsum(per_chain) - per_chain)[chain2]
        # Keep whole chains, and the first records (batch, distributors, shops) of the last.
        last = m - 1
        n1 = int(np.count_nonzero((chain1 < last) | (1 + rank1 < keep_last)))
        n2 = int(np.count_nonzero((chain2 < last) | (1 + b[chain2] + rank2 < keep_last)))
        chain1, parent2, chain2 = chain1[:n1], parent2[:n2], chain2[:n2]

        # Sources: Zipf-like; make sure S0000000 strictly has the most batches.
        src = rng.choice(world.n_sources, size=m, p=world.source_weights)
        src = _busiest_first(src, world.n_sources)
        pick = np.floor(rng.random(m) * world.source_product_count[src]).astype(np.int64)
        product = world.source_products[src, pick].astype(np.int64)
        wh = world.warehouses.pick(rng, world.prov_sources[src])
        t0 = rng.integers(0, _SPAN - 20 * _DAY, m)
        q0 = np.maximum(1, np.round(
            world.batch[product] * rng.lognormal(0.0, 0.5, m)
        )).astype(np.int64)

        dist = world.distributors.pick(rng, world.prov_warehouses[wh[chain1]])
        t1 = _later(rng, t0[chain1], 6 * _HOUR, 10 * _DAY, out_of_order=_OUT_OF_ORDER)
        q1 = _split(rng, q0[chain1], chain1, m)

        shop = world.shops.pick(rng, world.prov_distributors[dist[parent2]])
        t2 = _later(rng, t1[parent2], 2 * _HOUR, 7 * _DAY, out_of_order=_OUT_OF_ORDER)
        q2 = _split(rng, q1[parent2], parent2, n1)

        p1, p2 = product[chain1], product[chain2]
        self._add(
            src + world.off_sources, wh + world.off_warehouses, t0, product, q0,
            self._value(q0, product, _LEVEL_SOURCE),
        )
        self._add(
            wh[chain1] + world.off_warehouses, dist + world.off_distributors, t1, p1, q1,
            self._value(q1, p1, _LEVEL_WAREHOUSE),
        )
        self._add(
            dist[parent2] + world.off_distributors, shop + world.off_shops, t2, p2, q2,
            self._value(q2, p2, _LEVEL_DISTRIBUTOR),
        )
        # Local (per-tier) indices of every hop, for lateral transfers and payments.
        self.hops = [
            {"level": 0, "from": src, "to": wh, "time": t0, "product": product, "qty": q0},
            {"level": 1, "from": wh[chain1], "to": dist, "time": t1, "product": p1, "qty": q1},
            {"level": 2, "from": dist[parent2], "to": shop, "time": t2, "product": p2, "qty": q2},
        ]

    # -- lateral transfers and returns ------------------------------------------------------
    def add_lateral(self, count: int, rng: np.random.Generator) -> None:
        """Warehouse -> warehouse and distributor -> distributor transfers, shop returns."""
        if count <= 0 or not self.hops:
            return
        world = self.world
        n_ww = round(count * 0.4)
        n_dd = round(count * 0.4)
        n_ret = count - n_ww - n_dd
        if len(self.hops[2]["to"]) == 0:  # tiny cases: fall back on the tiers that exist
            n_dd, n_ret = n_dd + n_ret, 0
        if len(self.hops[1]["to"]) == 0:
            n_ww, n_dd = n_ww + n_dd, 0

        def parents(level: int, size: int) -> tuple[dict[str, Any], IntArray]:
            hop = self.hops[level]
            return hop, rng.integers(0, len(hop["to"]), size)

        hop, at = parents(0, n_ww)
        frm = hop["to"][at]
        to = world.warehouses.pick_other(rng, world.prov_warehouses[frm], frm)
        self._lateral(rng, hop, at, frm + world.off_warehouses, to + world.off_warehouses,
                      0.1, 0.5, 1, 20, _LEVEL_WAREHOUSE)
        hop, at = parents(1, n_dd)
        frm = hop["to"][at]
        to = world.distributors.pick_other(rng, world.prov_distributors[frm], frm)
        self._lateral(rng, hop, at, frm + world.off_distributors, to + world.off_distributors,
                      0.1, 0.5, 1, 15, _LEVEL_DISTRIBUTOR)
        hop, at = parents(2, n_ret)  # a shop returns part of a delivery to its distributor
        self._lateral(rng, hop, at, hop["to"][at] + world.off_shops,
                      hop["from"][at] + world.off_distributors, 0.05, 0.3, 3, 30,
                      _LEVEL_DISTRIBUTOR)

    def _lateral(
        self, rng: np.random.Generator, hop: dict[str, Any], at: IntArray, frm: IntArray,
        to: IntArray, low: float, high: float, min_days: int, max_days: int, level: float,
    ) -> None:
        size = len(at)
        product = hop["product"][at]
        qty = np.maximum(1, np.round(hop["qty"][at] * rng.uniform(low, high, size))).astype(
            np.int64
        )
        time = _later(rng, hop["time"][at], min_days * _DAY, max_days * _DAY)
        self._add(frm, to, time, product, qty, self._value(qty, product, level))

    # -- payments ---------------------------------------------------------------------------
    def add_payments(self, count: int, rng: np.random.Generator) -> None:
        """Payments upstream for chain shipments: shop -> distributor -> owners."""
        if count <= 0 or not self.hops:
            return
        world, social = self.world, self.social
        sizes = np.array([len(hop["to"]) for hop in self.hops])
        flat = rng.integers(0, int(sizes.sum()), count)
        bounds = np.cumsum(sizes)
        level = np.searchsorted(bounds, flat, side="right")
        at = flat - (bounds - sizes)[level]
        payer = np.empty(count, dtype=np.int64)
        payee = np.empty(count, dtype=np.int64)
        time = np.empty(count, dtype=np.int64)
        value = np.empty(count, dtype=np.float64)
        levels = (_LEVEL_SOURCE, _LEVEL_WAREHOUSE, _LEVEL_DISTRIBUTOR)
        for lvl, hop in enumerate(self.hops):
            mask = level == lvl
            i = at[mask]
            frm, to = hop["from"][i], hop["to"][i]
            if lvl == 0:  # the warehouse's owner pays the den's owner (or its operator)
                a = social.owner_warehouses[to]
                b = social.owner_sources[frm]
                b = np.where(a == b, social.operator_sources[frm], b)
            elif lvl == 1:  # the distributor pays the warehouse's owner
                a = to + world.off_distributors
                b = social.owner_warehouses[frm]
            else:  # the shop pays its distributor
                a = to + world.off_shops
                b = frm + world.off_distributors
            payer[mask], payee[mask] = a, b
            time[mask] = _later(rng, hop["time"][i], 0, 15 * _DAY)
            value[mask] = self._value(hop["qty"][i], hop["product"][i], levels[lvl])
        value = np.maximum(0.01, np.round(value * rng.uniform(0.9, 1.1, count), 2))
        none = np.full(count, -1, dtype=np.int64)
        self._add(payer, payee, time, none, np.zeros(count, dtype=np.int64), value)

    # -- output -----------------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        """Every transaction as a case-file dict, in time order, ids T%09d in that order."""
        world = self.world
        if not self._columns:
            return []
        source, target, time, product, quantity, amount = (
            np.concatenate(column) for column in zip(*self._columns, strict=True)
        )
        order = _time_order(time)
        source, target, time = source[order], target[order], time[order]
        product, quantity, amount = product[order], quantity[order], amount[order]
        shipment = (product >= 0).tolist()
        product_ids = world.product_ids[np.maximum(product, 0)].tolist()
        day, second = np.divmod(time, _DAY)
        days, clock = _day_strings(), _clock_strings()
        return [
            {
                "id": tid, "kind": "shipment", "source": s, "target": t,
                "timestamp": days[d] + clock[c], "product": p, "quantity": q, "amount": a,
            }
            if ship else
            {
                "id": tid, "kind": "payment", "source": s, "target": t,
                "timestamp": days[d] + clock[c], "amount": a,
            }
            for tid, ship, s, t, d, c, p, q, a in zip(
                _ids("T", 9, len(order)), shipment, world.node_ids[source].tolist(),
                world.node_ids[target].tolist(), day.tolist(), second.tolist(), product_ids,
                quantity.tolist(), amount.tolist(), strict=True,
            )
        ]


def _busiest_first(src: IntArray, n_sources: int) -> IntArray:
    """Relabel drawn sources so that source 0 has strictly the most batches."""
    src = src.astype(np.int64)
    counts = np.bincount(src, minlength=n_sources)
    top = int(np.argmax(counts))
    if top != 0:
        src = np.where(src == top, 0, np.where(src == 0, top, src))
        counts[[0, top]] = counts[[top, 0]]
    rivals = np.flatnonzero(counts[1:] == counts[0]) + 1
    for rival in rivals:  # ties: hand one batch of each tied rival to source 0
        src[np.flatnonzero(src == rival)[0]] = 0
    return src


def _later(
    rng: np.random.Generator, base: IntArray, low: int, high: int, *, out_of_order: float = 0.0
) -> IntArray:
    """Times ``low`` to ``high`` seconds after ``base``, cut short so they stay in the year.

    A share ``out_of_order`` of them falls up to three days *before* ``base`` instead (a hop
    recorded out of order), never before the start of the year.
    """
    room = np.maximum(_SPAN - 1 - base, 0)
    top = np.minimum(high, room)
    bottom = np.minimum(low, top)
    step = np.floor(rng.random(len(base)) * (top - bottom + 1)).astype(np.int64)
    time: IntArray = base + bottom + step
    if out_of_order:
        early = np.flatnonzero(rng.random(len(base)) < out_of_order)
        back = np.minimum(base[early], rng.integers(_HOUR, 3 * _DAY, len(early)))
        time[early] = base[early] - back
    return time


def _split(
    rng: np.random.Generator, parent_qty: IntArray, group: IntArray, groups: int
) -> IntArray:
    """Share each parent's quantity among its children (keeping 85-100 % of it), at least 1."""
    weight = rng.gamma(2.0, 1.0, len(group))
    total = np.bincount(group, weights=weight, minlength=groups)
    share = weight / total[group] * rng.uniform(0.85, 1.0, len(group))
    quantity: IntArray = np.maximum(1, np.round(parent_qty * share)).astype(np.int64)
    return quantity


@lru_cache(maxsize=1)
def _day_strings() -> list[str]:
    days = np.datetime_as_string(_START_DAY + np.arange(_SPAN_DAYS, dtype="timedelta64[D]"))
    days = days.tolist()
    return [f"{day}T" for day in days]


@lru_cache(maxsize=1)
def _clock_strings() -> list[str]:
    """Every second of a day as ``"HH:MM:SS+08:00"`` (built once; kept for later calls)."""
    return [
        f"{h:02d}:{m:02d}:{s:02d}{_OFFSET}" for h in range(24) for m in range(60) for s in range(60)
    ]


def _attach_evidence(
    world: _World, social: _Social, transactions: list[dict[str, Any]],
    relationships: list[dict[str, Any]], entities: list[dict[str, Any]],
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """A handful of evidence records, each cited by a small share of the records."""
    count = world.sizes["evidence"]
    base = ["waybill", "bank_record", "wiretap", "seizure", "asset_freeze", "inspection"]
    extra = ["waybill", "bank_record", "wiretap", "seizure"]
    kinds = base + [extra[i % len(extra)] for i in range(count - len(base))]
    ids = _ids("EV", 4, count)
    by_kind: dict[str, list[str]] = {}
    for eid, kind in zip(ids, kinds, strict=True):
        by_kind.setdefault(kind, []).append(eid)

    def cite(records: list[dict[str, Any]], positions: IntArray, kind: str) -> None:
        pool = by_kind[kind]
        which = rng.integers(0, len(pool), len(positions)).tolist()
        for position, k in zip(positions.tolist(), which, strict=True):
            records[position]["evidence"] = [pool[k]]

    def sample(positions: IntArray, share: float) -> IntArray:
        size = min(len(positions), max(1, round(len(positions) * share))) if len(positions) else 0
        return np.sort(rng.choice(positions, size=size, replace=False)) if size else positions

    kind_col = np.array([t["kind"] == "shipment" for t in transactions], dtype=bool)
    cite(transactions, sample(np.flatnonzero(kind_col), 0.005), "waybill")
    cite(transactions, sample(np.flatnonzero(~kind_col), 0.02), "bank_record")
    calls = np.array([r["kind"] == "calls" for r in relationships], dtype=bool)
    cite(relationships, sample(np.flatnonzero(calls), 0.02), "wiretap")

    agencies = {
        "waybill": "ZTO Express", "bank_record": "ICBC", "wiretap": "Public Security Bureau",
        "seizure": "Public Security Bureau", "asset_freeze": "Public Security Bureau",
        "inspection": "Market Regulation Administration",
    }
    names = {
        "waybill": "Waybill batch", "bank_record": "Bank statements", "wiretap": "Call records",
        "seizure": "Seizure at production den", "asset_freeze": "Frozen bank accounts",
        "inspection": "Market inspection report",
    }
    months = rng.integers(1, 13, count).tolist()
    records: list[dict[str, Any]] = []
    for i, (eid, kind) in enumerate(zip(ids, kinds, strict=True)):
        record: dict[str, Any] = {
            "id": eid, "name": f"{names[kind]} {i + 1}", "kind": kind,
            "agency": agencies[kind], "reference": f"{kind[:2].upper()}-2024-{i + 1:04d}",
            "date": f"2024-{months[i]:02d}-15" if kind != "asset_freeze" else "2025-01-20",
            "reliability": "B" if kind in ("waybill", "inspection") else "A",
            "credibility": 2 if kind == "inspection" else 1,
        }
        if kind == "seizure":
            product = int(rng.integers(0, len(world.product_ids)))
            qty = int(world.batch[product] * rng.uniform(0.5, 2.0))
            record.update({
                "product": world.product_ids[product], "quantity": qty,
                "amount": round(qty * float(world.unit_price[product]) * _LEVEL_SOURCE, 2),
            })
        elif kind == "asset_freeze":
            record["amount"] = round(float(rng.uniform(2e5, 5e6)), 2)
        records.append(record)

    # Seizures name the busiest dens, the freeze their owners, inspections a few shops.
    # ``entities`` lists persons, distributors, shops, sources, warehouses: the node order.
    cited = {
        "seizure": world.off_sources + np.arange(min(3, world.n_sources)),
        "asset_freeze": np.unique(social.owner_sources[:3]),
        "inspection": world.off_shops + np.arange(0, world.n_shops, max(1, world.n_shops // 5))[:5],
    }
    for kind, nodes in cited.items():
        pool = by_kind[kind]
        for j, node in enumerate(nodes.tolist()):
            entities[node]["evidence"] = [pool[j % len(pool)]]
    return records
