"""A leak renamed, reordered and reformatted still aligns to the released columns, with its values intact."""

from __future__ import annotations

import datetime as dt

import polars as pl

from ringfence.keys import Keyset
from ringfence.synth import SynthConfig, generate_platform
from ringfence.trace.align import Target, align

RELEASED = [Target(n) for n in ("txn_id", "customer_id", "amount", "currency", "ts", "channel", "status")]


def _transactions(n: int = 3_000) -> pl.DataFrame:
    platform = generate_platform(SynthConfig(customers=500, transactions=n, seed=23))
    return pl.concat(list(platform.transactions())).head(n)


def _amount_text(col: str) -> pl.Expr:
    """Amounts as a person formats them: thousands separators and two decimals (``1,234.50``)."""
    whole = pl.col(col).floor().cast(pl.Int64)
    cents = ((pl.col(col) - pl.col(col).floor()) * 100).round().cast(pl.Int64)
    grouped = whole.cast(pl.String).str.reverse().str.replace_all(r"(\d{3})(\d)", "$1,$2").str.reverse()
    return grouped + pl.lit(".") + cents.cast(pl.String).str.zfill(2)


def test_renamed_reordered_reformatted_leak_aligns() -> None:
    txns = _transactions()
    leak = txns.sample(fraction=1.0, shuffle=True, seed=5).select(
        pl.col("status").alias("상태"),
        pl.col("ts").dt.strftime("%d/%m/%Y %H:%M:%S").alias("交易时间"),
        _amount_text("amount").alias("Betrag"),
        pl.col("currency").alias("币种"),
        pl.col("channel").str.to_uppercase().alias("Kanal"),
    )
    aligned = align(leak, RELEASED)
    pairs = {m.leak: m.target for m in aligned.matches}
    assert pairs == {
        "상태": "status",
        "交易时间": "ts",
        "Betrag": "amount",
        "币种": "currency",
        "Kanal": "channel",
    }
    assert aligned.frame.columns == ["status", "ts", "amount", "currency", "channel"]
    assert aligned.frame.schema["ts"] == pl.Datetime("us") and aligned.frame.schema["amount"] == pl.Float64
    shuffled = txns.sample(fraction=1.0, shuffle=True, seed=5)
    assert (aligned.frame["amount"] - shuffled["amount"]).abs().max() < 0.005  # type: ignore[operator]
    assert aligned.frame["ts"].equals(shuffled["ts"].dt.truncate("1s"))


def test_other_formats_european_amounts_epoch_times_and_a_meaningless_header() -> None:
    leak = pl.DataFrame(
        {
            "c1": ["1.234,50", "56.780,00", "131,92", "7,00"] * 10,
            "time": [1_743_494_974_000, 1_743_498_309_000, 1_743_500_000_000, 1_743_510_000_000] * 10,
            "c3": ["2025年04月01日 07:49:34"] * 40,
        }
    )
    aligned = align(leak, [Target("amount"), Target("ts"), Target("registered_at")])
    pairs = {m.leak: (m.target, m.evidence) for m in aligned.matches}
    assert pairs["time"] == ("ts", ("synonym",))
    assert pairs["c1"] == ("amount", ("shape",))  # the only number left and the only amount target
    # "time" took ts by its name; then c3 is the only timestamp left, and registered_at the only target
    assert pairs["c3"] == ("registered_at", ("shape",))
    assert aligned.frame["registered_at"][0] == dt.datetime(2025, 4, 1, 7, 49, 34)
    assert aligned.frame["amount"].head(4).to_list() == [1234.5, 56780.0, 131.92, 7.0]
    assert aligned.frame["ts"][0] == dt.datetime(2025, 4, 1, 8, 9, 34)


def test_kinds_must_agree_tokens_never_pair_with_amounts() -> None:
    keys = Keyset.generate()
    amounts = pl.Series("amount", [f"{i * 7.5:.2f}" for i in range(40)])
    tokens = keys.prf(keys.primary_id("hmac"), "recipient:a|tokenize|column:amount").tokens(amounts)
    leak = pl.DataFrame({"amount": tokens, "note": ["x"] * 40})
    aligned = align(leak, [Target("amount"), Target("customer_id")])
    assert aligned.profiles["amount"].kind == "token"
    assert {m.leak: m.target for m in aligned.matches} == {}  # no name evidence for customer_id either
