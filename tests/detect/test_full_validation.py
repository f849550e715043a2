"""``scan --full`` counts exactly what the entity validators say, value by value, however it computes it."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import polars as pl
import pytest

from ringfence.detect import entities
from ringfence.detect import scan as scan_module
from ringfence.detect.classify import ColumnFinding, clean_frame, clean_text, validator_for
from ringfence.detect.scan import validate_full
from ringfence.io.read import open_source
from ringfence.synth import SynthConfig, generate_platform

AWKWARD_TEXT = [
    None,
    "",
    "  ",
    "N/A",
    " n/a ",
    "UNKNOWN",
    "UNK\u212aNOWN",  # KELVIN SIGN lower-cases to "k"
    "İNIL",
    "未知",
    " 해당없음 ",
    "NaN",
    "-",
    "—",
    "unknown!",
    "13800138000",
    "x" * 2000,
    "\u3000未知\u3000",
]
AWKWARD_FLOATS = [None, math.nan, math.inf, -math.inf, -0.0, 0.0, 31.2304, -121.4737, 90.0, 90.000001]
AWKWARD_FLOATS += [179.99, 180.5, -33.5, 1e-300, 5e-324, 12.0, 1e20, 89.9999999999]
_TODAY = dt.date.today()
EDGE_DATES = [None, dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(1990, 2, 28), _TODAY]
EDGE_DATES += [_TODAY + dt.timedelta(days=1), dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.date(999, 5, 5)]


def test_clean_frame_equals_clean_text() -> None:
    frame = pl.DataFrame(
        {
            "s": AWKWARD_TEXT + ["x"] * (len(AWKWARD_FLOATS) - len(AWKWARD_TEXT)),
            "f": AWKWARD_FLOATS,
            "i": list(range(len(AWKWARD_FLOATS))),
        },
        strict=False,
    )
    columns = ["s", "f", "i"]
    expected = frame.select([clean_text(c) for c in columns])
    assert clean_frame(frame, columns).equals(expected)


def _reference(frame: pl.DataFrame, findings: list[ColumnFinding]) -> dict[str, tuple[int, float]]:
    """Non-empty count and hit rate per column, straight from ``clean_text`` and the validator."""
    out: dict[str, tuple[int, float]] = {}
    for f in findings:
        n, v = frame.select(clean_text(f.name).count().alias("n"), validator_for(f).sum().alias("v")).row(0)
        out[f.name] = (int(n), (int(v) / n) if n else 0.0)
        if f.entity != "GEO_COORDINATE":  # and the scalar validator agrees, value by value
            cleaned = frame.select(clean_text(f.name)).to_series().drop_nulls().to_list()
            assert sum(map(entities.get(str(f.entity)).is_valid, cleaned)) == v, f.name
    return out


@pytest.mark.parametrize(("locale", "range_rows"), [("cn", 100_000), ("kr", 97)])
def test_full_counts_equal_the_validators_value_by_value(
    tmp_path: Path, locale: str, range_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scan_module, "MIN_RANGE_ROWS", range_rows)  # 97: batches cut into row ranges
    generated = generate_platform(SynthConfig(customers=2_000, transactions=3_000, seed=21, locale=locale))
    customers = generated.customers
    transactions = pl.concat(list(generated.transactions())).head(customers.height)
    rows = customers.height
    noise = pl.Series(AWKWARD_TEXT * (rows // len(AWKWARD_TEXT) + 1)).head(rows)
    floats = pl.Series(AWKWARD_FLOATS * (rows // len(AWKWARD_FLOATS) + 1), dtype=pl.Float64).head(rows)
    every = pl.Series(range(rows))
    mixed = pl.DataFrame(
        {
            **{c: customers[c] for c in customers.columns},
            "device_ip": transactions["device_ip"],
            "lat": transactions["lat"],
            "lon": floats.zip_with(every % 3 == 0, transactions["lon"]),
            "lat_text": transactions["lat"].cast(pl.String).zip_with(every % 2 == 0, noise),
            "national_id_noisy": noise.zip_with(every % 5 == 0, customers["national_id"]),
            "lat_int": every.cast(pl.Int32),
            "dob_edge": pl.Series(EDGE_DATES * (rows // len(EDGE_DATES) + 1), dtype=pl.Date).head(rows),
        },
        strict=False,
    )
    path = tmp_path / "mixed.parquet"
    mixed.write_parquet(path)
    typed = {
        "device_ip": "IP_ADDRESS",
        "lat": "GEO_COORDINATE",
        "lon": "GEO_COORDINATE",
        "lat_text": "GEO_COORDINATE",
        "lat_int": "GEO_COORDINATE",
        "national_id": "KR_RRN" if locale == "kr" else "CN_RESIDENT_ID",
        "national_id_noisy": "KR_RRN" if locale == "kr" else "CN_RESIDENT_ID",
        "phone": "PHONE_NUMBER",
        "email": "EMAIL_ADDRESS",
        "name": "PERSON_NAME",
        "address": "POSTAL_ADDRESS",
        "birth_date": "DATE_OF_BIRTH",
        "dob_edge": "DATE_OF_BIRTH",
        "device_imei": "IMEI",
        "last_login_ip": "IP_ADDRESS",
        "home_lat": "GEO_COORDINATE",
    }
    typed = {c: e for c, e in typed.items() if c in mixed.columns}
    assert len(typed) >= 10, sorted(mixed.columns)
    findings = [ColumnFinding(c, e, 0.9) for c, e in typed.items()]
    expected = _reference(mixed, findings)
    validate_full(open_source(path), findings, batch_rows=700)  # several batches
    for f in findings:
        assert (f.non_empty, f.hit_rate) == pytest.approx(expected[f.name]), f.name
        assert "full" in f.evidence
    # The noise really is there: some columns are neither all valid nor all empty.
    assert 0 < expected["lon"][1] < 1 and 0 < expected["national_id_noisy"][1] < 1
    assert expected["dob_edge"][0] > 0 and 0 < expected["dob_edge"][1] < 1
