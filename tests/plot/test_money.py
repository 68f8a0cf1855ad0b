"""plot_money: amounts on the lines and what each account kept, as the records give them."""

from __future__ import annotations

import crimegraph as cg
import crimegraph.plot as cgp
from crimegraph.plot.style import format_number


def small_payments() -> cg.CaseGraph:
    """A shop pays a courier 0.01 CNY, who pays the boss 0.004 CNY."""
    ts = "2024-05-01T10:00:00+08:00"
    return cg.CaseGraph(cg.Case(
        id="C-SMALL", title="small amounts",
        persons=[cg.Person(id="P-1", name="周建国"), cg.Person(id="P-2", name="李强")],
        organizations=[cg.Organization(id="O-1", name="宏达汽配", kind="shop")],
        transactions=[
            cg.Transaction(id="T-1", kind="payment", source="O-1", target="P-2", amount=0.01,
                           currency="CNY", timestamp=ts),
            cg.Transaction(id="T-2", kind="payment", source="P-2", target="P-1", amount=0.004,
                           currency="CNY", timestamp=ts)]))


def test_small_amounts_never_read_as_zero() -> None:
    ax = cgp.plot_money(cg.trace_money(small_payments(), "O-1"))
    amounts = sorted(t.get_text() for t in ax.texts if t.get_gid() == "amount")
    assert amounts == ["0.004 CNY", "0.01 CNY"]
    kept = {t.get_gid(): t.get_text() for t in ax.texts
            if (t.get_gid() or "").startswith("kept:")}
    assert kept == {"kept:P-1": "kept 0.004 CNY", "kept:P-2": "kept 0.006 CNY"}
    assert "0.01 CNY at the start" in ax.get_title(loc="left")


def test_format_number_keeps_two_significant_digits_below_one() -> None:
    assert [format_number(v) for v in (0.01, 0.0125, 0.999, -0.004, 1e-15, 0.0)] == [
        "0.01", "0.013", "1", "\u22120.004", "1e-15", "0"]
    assert [format_number(v) for v in (12.5, 1250.0, 3.0)] == ["12.5", "1,250", "3"]
