"""derive (and birth data read from national IDs): agrees with python-stdnum, emits no ID, nulls bad IDs."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.kr import rrn

from ringfence.detect.checksums import mod11_2_check_char, rrn_check_digit
from ringfence.errors import UsageError
from ringfence.policy.rules import Derive as DeriveRule
from ringfence.transform import derive as derive_module
from ringfence.transform.base import TransformContext
from ringfence.transform.derive import Derive

AS_OF = dt.date(2026, 6, 30)


def derive(values: list[str | None], spec: Derive) -> pl.DataFrame:
    df = pl.DataFrame({"id": values}, schema={"id": pl.String})
    return df.select(spec.expr("id", TransformContext(schema=df.schema, as_of=AS_OF)))


def cn_id(region: str, born: dt.date, seq: int) -> str:
    payload = f"{region}{born:%Y%m%d}{seq:03d}"
    return payload + mod11_2_check_char(payload)


def kr_rrn(born: dt.date, male: bool, foreign: bool = False) -> str:
    century = {1800: (9, 0), 1900: (1, 2), 2000: (3, 4)}[born.year // 100 * 100]
    g = century[0] if male else century[1]
    if foreign and born.year >= 1900:
        g += 4
    payload = f"{born:%y%m%d}{g}12345"
    return payload[:6] + "-" + payload[6:] + rrn_check_digit(payload)


def test_cn_ids_in_both_forms_and_with_separators() -> None:
    ids = [
        "11010519491231002X",  # the GB 11643 example
        "110105 19491231 002x",
        "440305199001011239",
        "110105491231002",  # 15-digit form, born 1949
        "11010519491231002Y",  # bad check character
        "11010519490231002X",  # impossible date
        None,
        "123",
    ]
    out = derive(ids, Derive("CN_RESIDENT_ID", ["birth_date", "birth_year", "gender", "age_band", "region"]))
    assert out.columns == ["id_birth_date", "id_birth_year", "id_gender", "id_age_band", "id_region"]
    assert "id" not in out.columns
    assert out["id_birth_date"].to_list()[:4] == [dt.date(1949, 12, 31)] * 2 + [None, dt.date(1949, 12, 31)]
    assert out["id_gender"].to_list()[:4] == ["F", "F", None, "F"]
    assert out["id_age_band"].to_list()[0] == "70-79"
    assert out["id_region"].to_list()[0] == "11"
    for column in out.columns:
        assert out[column].to_list()[4:] == [None] * 4, column


def test_a_valid_id_reads_like_stdnum() -> None:
    valid = cn_id("440305", dt.date(1990, 1, 1), 123)
    assert ric.is_valid(valid)
    out = derive([valid], Derive("CN_RESIDENT_ID", ["birth_date", "gender"]))
    assert out.row(0) == (ric.get_birth_date(valid), "M")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["110105", "310104", "440305", "510107", "330106"]),
            st.dates(dt.date(1901, 1, 1), dt.date(2025, 12, 31)),
            st.integers(0, 999),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_cn_birth_dates_agree_with_stdnum(people: list[tuple[str, dt.date, int]]) -> None:
    ids = [cn_id(*p) for p in people]
    out = derive(ids, Derive("CN_RESIDENT_ID", ["birth_date", "gender", "region"], region_digits=6))
    for number, (birth, gender, region) in zip(ids, out.iter_rows(), strict=True):
        assert birth == ric.get_birth_date(number)
        assert gender == ("M" if int(number[16]) % 2 else "F")
        assert region == number[:6]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.dates(dt.date(1850, 1, 1), dt.date(2025, 12, 31)), st.booleans(), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_kr_birth_dates_agree_with_stdnum(people: list[tuple[dt.date, bool, bool]]) -> None:
    numbers = [kr_rrn(*p) for p in people]
    out = derive(numbers, Derive("KR_RRN", ["birth_date", "gender"]))
    for number, (_, male, _), (birth, gender) in zip(numbers, people, out.iter_rows(), strict=True):
        assert birth == rrn.get_birth_date(number)
        assert gender == ("M" if male else "F")


def test_kr_numbers_issued_since_2020_need_no_check_digit() -> None:
    out = derive(
        ["200315-4829173", "2003154829173", "200315-48", "201315-4000000"],
        Derive("KR_RRN", ["birth_year", "gender"]),
    )
    assert out.rows() == [(2020, "F"), (2020, "F"), (None, None), (None, None)]


def test_age_bands_at_the_reference_date_top_coded_at_90() -> None:
    ids = [cn_id("110105", d, 1) for d in (dt.date(1996, 6, 30), dt.date(1996, 7, 1), dt.date(1930, 1, 1))]
    out = derive(ids, Derive("CN_RESIDENT_ID", ["age_band"], age_band=5))
    assert out["id_age_band"].to_list() == ["30-34", "25-29", "90+"]


def test_from_rule_and_errors() -> None:
    rule = DeriveRule(action="derive", entity="KR_RRN", fields=["birth_year"])
    assert Derive.from_rule(rule).describe()["fields"] == ["birth_year"]
    with pytest.raises(UsageError, match="derive reads"):
        Derive("PHONE_NUMBER", ["gender"])
    with pytest.raises(UsageError, match="KR_RRN has no region"):
        derive(["900101-1234568"], Derive("KR_RRN", ["region"]))
    spec = Derive("CN_RESIDENT_ID", ["age_band"])
    df = pl.DataFrame({"id": ["x"]})
    with pytest.raises(UsageError, match="needs a reference date"):
        spec.expr("id", TransformContext(schema=df.schema))


def test_each_output_column_reads_the_ids_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Polars copies an expression wherever it is used; a kernel must not re-run its parser per use."""
    calls: list[int] = []
    original = derive_module._IdBatch.__call__

    def counting(self: object, values: pl.Series) -> pl.Series:
        calls.append(len(values))
        return original(self, values)  # type: ignore[arg-type]

    monkeypatch.setattr(derive_module._IdBatch, "__call__", counting)
    derive(["11010519491231002X"] * 10, Derive("CN_RESIDENT_ID", ["birth_year", "gender", "age_band"]))
    assert calls == [10, 10, 10]


def _plain_and_string_readers_agree(entity: str, values: list[str | None], region_digits: int) -> None:
    ids = pl.Series("id", values, dtype=pl.String)
    batch = derive_module._IdBatch(region_digits)  # every value read by its own form, whatever ``entity``
    fast = batch(ids)
    assert fast.dtype == derive_module._PARTS
    assert fast.to_list() == batch.read(ids).to_struct("id").to_list()


def _digits_text(size: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=size, max_size=size)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            # plain 18-character IDs: any date digits (impossible dates too), any check character
            st.tuples(_digits_text(17), st.sampled_from("0123456789Xx")).map("".join),
            # valid ones, so readable rows are common
            st.tuples(
                st.sampled_from(["110105", "440305", "000000"]),
                st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)),
                st.integers(0, 999),
            ).map(lambda p: cn_id(p[0], p[1], p[2])),
            # near misses and other forms: separators, 15 digits, other lengths, non-ASCII
            st.text("0123456789Xx -１", min_size=12, max_size=20),
        ),
        max_size=40,
    ),
    st.sampled_from([2, 4, 6]),
)
def test_cn_plain_reader_agrees_with_the_string_reader(values: list[str | None], region_digits: int) -> None:
    """The arithmetic reader of plain IDs is a pure speedup: same parts as the string stages, all forms."""
    _plain_and_string_readers_agree("CN_RESIDENT_ID", values, region_digits)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            _digits_text(13),
            st.tuples(_digits_text(6), _digits_text(7)).map("-".join),
            st.tuples(st.dates(dt.date(1850, 1, 1), dt.date(2025, 12, 31)), st.booleans(), st.booleans()).map(
                lambda p: kr_rrn(*p)
            ),
            st.text("0123456789- x", min_size=11, max_size=16),
        ),
        max_size=40,
    )
)
def test_kr_plain_reader_agrees_with_the_string_reader(values: list[str | None]) -> None:
    _plain_and_string_readers_agree("KR_RRN", values, 2)


def test_plain_reader_on_sliced_and_chunked_columns() -> None:
    """A batch may be a slice of a larger buffer or several chunks: the byte view must follow offsets."""
    ids = [cn_id("440305", dt.date(1990, 1, 1) + dt.timedelta(days=i), i % 1000) for i in range(50)]
    whole = pl.Series("id", [*ids, "1234", None, *ids])
    chunked = pl.concat([whole.slice(0, 30), whole.slice(30)], rechunk=False)
    batch = derive_module._IdBatch(6)
    for series in (whole.slice(7, 60), chunked):
        expected = batch.read(series).to_struct("id").to_list()
        assert batch(series).to_list() == expected
        assert sum(p["birth"] is not None for p in expected) >= 49


def test_parts_of_a_slice_are_reused_only_for_the_same_values() -> None:
    """The kept parts of the recent slices are handed out again only for equal values."""
    batch = derive_module._IdBatch(2)
    a = pl.Series("id", [cn_id("110105", dt.date(1980, 5, 17), 3)])
    b = pl.Series("id", [cn_id("110105", dt.date(1980, 5, 18), 3)])
    first = batch(a)
    assert batch(a.clone()) is first
    assert batch(b).to_list()[0]["birth"] == dt.date(1980, 5, 18)
    assert batch(a).to_list()[0]["birth"] == dt.date(1980, 5, 17)
