"""The shared text handling: the column NFKC equals Python's on every kind of text people write."""

from __future__ import annotations

import unicodedata

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.detect.entities import _text


def test_the_nfkc_data_file_matches_unicodedata() -> None:
    shipped = []
    for line in _text.data_lines("nfkc_unstable.txt"):
        low, _, high = line.partition("-")
        shipped.append((int(low, 16), int(high or low, 16)))
    assert shipped == _text.nfkc_unstable_ranges()


SAMPLES = [
    "北京市朝阳区建国路88号",
    "서울특별시 강남구 테헤란로 123",
    "１３８００１３８０００",
    "\u3000王\u3000小明",
    "Ｅ１２３４５６７８",
    "José Müller",
    "Jose\u0301 Mu\u0308ller",  # decomposed accents compose
    "\u1100\u1161\u11a8",  # conjoining jamo compose to 각
    "각\u11a8",
    "㈜ ㎡ ① ﬁ ½ ²",
    "가\u0301",
    "\u0301abc",
    "abc",
    "",
    "丽\uf900\u2f00\U0002f800",  # compatibility ideographs and a Kangxi radical
    "😀 emoji\u200d",
    "ｶﾞ ｱ",
]


def _column(values: list[str]) -> list[str]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(_text.nfkc_expr(pl.col("v"))).get_column("v").to_list()


def test_nfkc_expr_equals_python_on_samples() -> None:
    assert _column(SAMPLES) == [unicodedata.normalize("NFKC", v) for v in SAMPLES]


_ALPHABET = st.sampled_from(
    list("abcXYZ019 -.,")
    + list("北京市区路号王李小明")
    + list("서울구로길김민준각")
    + [
        "\u0301",
        "\u0308",
        "\u1161",
        "\u11a8",
        "\u1100",
        "\u3000",
        "\u00a0",
        "１",
        "Ａ",
        "\uf900",
        "ｶ",
        "ﾞ",
        "①",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_ALPHABET, max_size=12), min_size=1, max_size=20))
def test_nfkc_expr_equals_python(values: list[str]) -> None:
    assert _column(values) == [unicodedata.normalize("NFKC", v) for v in values]
