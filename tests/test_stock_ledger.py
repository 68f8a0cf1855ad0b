"""Tests of crimegraph.synth.StockLedger, the stock ledger the example cases are simulated with."""

from __future__ import annotations

import random
import re
from datetime import date, datetime

import pytest

import crimegraph as cg
from crimegraph.synth import StockLedger, generate_case_data

PRICES = {"distributor": {"P-OIL": 115.0, "P-BASE": 1320.0}, "shop": {"P-OIL": 150.0}}
DAY = datetime(2024, 3, 4, 9, 0)


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2024, 3, day, hour, 0)


@pytest.fixture
def ledger() -> StockLedger:
    return StockLedger(PRICES, packs={"P-OIL": 4}, rng=random.Random(1), waybill_prefix="HY")


# -- stock ------------------------------------------------------------------------------------
def test_a_place_ships_only_whole_packs_of_what_it_holds(ledger: StockLedger) -> None:
    ledger.produce("W-DEN", "P-OIL", 30)
    shipped = ledger.ship("W-DEN", "W-HUB", "P-OIL", 100, at(5), None)
    assert shipped == 28.0  # 30 held, in packs of 4
    assert ledger.on_hand("W-DEN", "P-OIL") == 2.0
    assert ledger.on_hand("W-HUB", "P-OIL") == 28.0
    assert ledger.ship("W-HUB", "SHOP-1", "P-OIL", 10, at(6), "shop") == 8.0  # 10 -> 2 packs
    assert ledger.on_hand("W-HUB", "P-OIL") == 20.0
    assert [s["quantity"] for s in ledger.shipments] == [28.0, 8.0]


def test_nothing_on_hand_ships_nothing_and_records_nothing(ledger: StockLedger) -> None:
    assert ledger.ship("W-EMPTY", "SHOP-1", "P-OIL", 40, at(5), "shop") == 0.0
    ledger.produce("W-DEN", "P-OIL", 3)  # less than one pack
    assert ledger.ship("W-DEN", "SHOP-1", "P-OIL", 40, at(5), "shop") == 0.0
    assert ledger.shipments == []
    assert ledger.on_hand("W-DEN", "P-OIL") == 3.0


def test_an_unlimited_shipment_may_overdraw_the_source(ledger: StockLedger) -> None:
    # A supplier outside the case: its stock is not known, so it is not limited.
    assert ledger.ship("ORG-SUPPLIER", "W-DEN", "P-BASE", 27, at(4), "distributor",
                       limit=False) == 27.0
    assert ledger.on_hand("ORG-SUPPLIER", "P-BASE") == -27.0
    assert ledger.on_hand("W-DEN", "P-BASE") == 27.0


# -- the records ------------------------------------------------------------------------------
def test_a_sale_is_priced_and_a_transfer_is_internal(ledger: StockLedger) -> None:
    ledger.produce("W-DEN", "P-OIL", 100)
    ledger.ship("W-DEN", "W-HUB", "P-OIL", 40, at(5), None, driver="P-13",
                evidence=("EV-SURV-01",))
    ledger.ship("W-HUB", "DIST-1", "P-OIL", 20, at(6), "distributor", carrier="ORG-LOGI",
                attributes={"note": "rush order"})
    transfer, sale = ledger.shipments
    assert "amount" not in transfer and "carrier" not in transfer
    assert transfer["attributes"] == {"transfer": "internal", "driver": "P-13"}
    assert transfer["evidence"] == ["EV-SURV-01"]
    assert sale["amount"] == 20 * 115.0
    assert sale["attributes"] == {"note": "rush order", "price_level": "distributor"}
    assert sale["carrier"] == "ORG-LOGI"
    assert re.fullmatch(r"HY\d{10}", sale["reference"])


def test_a_payment_has_a_bank_reference_channel_and_currency(ledger: StockLedger) -> None:
    ledger.pay("DIST-1", "P-04", 2300.0, at(8), notes="April goods")
    ledger.pay("SHOP-1", "P-04", 1200.0, at(9), channel="mobile payment", evidence=("EV-B",))
    first, second = ledger.payments
    assert re.fullmatch(r"BK20240308\d{8}", first["reference"])
    assert first["attributes"] == {"channel": "bank transfer"}
    assert first["currency"] == "CNY" and first["notes"] == "April goods"
    assert second["attributes"] == {"channel": "mobile payment"}
    assert second["evidence"] == ["EV-B"]
    euro = StockLedger(PRICES, currency="EUR")
    euro.pay("A", "B", 10.0, DAY)
    assert euro.payments[0]["currency"] == "EUR"


def test_the_same_seed_draws_the_same_references() -> None:
    def references(seed: int) -> list[str]:
        ledger = StockLedger(PRICES, rng=random.Random(seed))
        ledger.produce("W", "P-OIL", 10)
        ledger.ship("W", "D", "P-OIL", 5, DAY, "distributor", carrier="ORG-LOGI")
        ledger.pay("D", "W", 575.0, DAY)
        return [r["reference"] for r in ledger.shipments + ledger.payments]

    assert references(7) == references(7)
    assert references(7) != references(8)


def test_value_received_counts_the_days_from_start_up_to_end(ledger: StockLedger) -> None:
    ledger.produce("W-HUB", "P-OIL", 100)
    for day in (3, 4, 10, 11):
        ledger.ship("W-HUB", "SHOP-1", "P-OIL", 4, at(day, 23), "shop")
    ledger.ship("W-HUB", "SHOP-2", "P-OIL", 4, at(5), "shop")
    assert ledger.value_received("SHOP-1", date(2024, 3, 4), date(2024, 3, 11)) == 2 * 600.0
    assert ledger.value_received("SHOP-2", date(2024, 3, 1), date(2024, 4, 1)) == 600.0
    assert ledger.value_received("SHOP-3", date(2024, 3, 1), date(2024, 4, 1)) == 0


# -- numbering and time order -----------------------------------------------------------------
def test_transactions_are_numbered_in_time_order_ties_as_recorded(ledger: StockLedger) -> None:
    ledger.produce("W-HUB", "P-OIL", 100)
    ledger.ship("W-HUB", "SHOP-1", "P-OIL", 4, at(9), "shop")  # recorded first, happens last
    ledger.ship("W-HUB", "SHOP-2", "P-OIL", 8, at(5), "shop")
    ledger.ship("W-HUB", "SHOP-3", "P-OIL", 12, at(5), "shop")  # same time as SHOP-2
    ledger.pay("SHOP-3", "W-HUB", 1800.0, at(7))
    ledger.pay("SHOP-2", "W-HUB", 1200.0, at(6))
    transactions = ledger.transactions("SHP-", "PAY-")
    assert all(isinstance(t, cg.Transaction) for t in transactions)
    assert [t.id for t in transactions] == [
        "SHP-0001", "SHP-0002", "SHP-0003", "PAY-0001", "PAY-0002"]
    assert [t.target for t in transactions if t.kind == "shipment"] == [
        "SHOP-2", "SHOP-3", "SHOP-1"]
    assert [t.source for t in transactions if t.kind == "payment"] == ["SHOP-2", "SHOP-3"]
    # Each record keeps the id it was given, so a builder can name it afterwards.
    assert [s["id"] for s in ledger.shipments] == ["SHP-0003", "SHP-0001", "SHP-0002"]
    assert cg.Transaction(**ledger.shipments[0]).amount == 600.0


def test_synthetic_cases_number_transactions_by_the_same_rule() -> None:
    # generate_case_data lists and numbers its transactions in time order like the ledger.
    transactions = generate_case_data(400, seed=2)["transactions"]
    stamps = [t["timestamp"] for t in transactions]
    assert stamps == sorted(stamps)
    assert [t["id"] for t in transactions] == [f"T{i:09d}" for i in range(400)]


def test_shipped_before_arrival_finds_a_planted_early_shipment(ledger: StockLedger) -> None:
    ledger.produce("W-DEN", "P-OIL", 100)
    ledger.ship("W-DEN", "W-HUB", "P-OIL", 40, at(5), None)
    ledger.ship("W-HUB", "SHOP-1", "P-OIL", 8, at(6), "shop")
    assert ledger.shipped_before_arrival(exempt=["W-DEN"]) == []
    assert ledger.shipped_before_arrival() == [ledger.shipments[0]]  # the den made its goods
    ledger.produce("W-FAR", "P-OIL", 16)  # stock from a source the case never finds
    ledger.ship("W-FAR", "SHOP-2", "P-OIL", 16, at(4), "shop")
    ledger.ship("W-HUB", "W-FAR", "P-OIL", 8, at(7), None)
    ledger.ship("W-HUB", "SHOP-3", "P-OIL", 4, at(5), "shop")  # same time as its delivery
    early = ledger.shipped_before_arrival(exempt=["W-DEN"])
    assert [(s["source"], s["target"]) for s in early] == [("W-FAR", "SHOP-2"),
                                                            ("W-HUB", "SHOP-3")]


# -- bad input --------------------------------------------------------------------------------
def test_an_unknown_price_level_or_product_is_named(ledger: StockLedger) -> None:
    ledger.produce("W", "P-OIL", 8)
    with pytest.raises(cg.InvalidArgument, match=r"no 'retail' price for product 'P-OIL' "
                                                 r"\(price levels: distributor, shop\)"):
        ledger.ship("W", "S", "P-OIL", 4, DAY, "retail")
    with pytest.raises(ValueError, match="no 'shop' price for product 'P-BASE'"):
        ledger.ship("W", "S", "P-BASE", 4, DAY, "shop")
    assert ledger.shipments == [] and ledger.on_hand("W", "P-OIL") == 8.0


@pytest.mark.parametrize("pack", [0, -6, 2.5, True])
def test_a_bad_pack_size_is_named(pack: object) -> None:
    with pytest.raises(cg.InvalidArgument, match=r"packs\['P-OIL'\] must be a whole number"):
        StockLedger(PRICES, packs={"P-OIL": pack})  # type: ignore[dict-item]


def test_a_negative_production_is_refused(ledger: StockLedger) -> None:
    with pytest.raises(cg.InvalidArgument, match=r"produce\('W', 'P-OIL'\).*got -4"):
        ledger.produce("W", "P-OIL", -4)
    assert ledger.on_hand("W", "P-OIL") == 0.0
