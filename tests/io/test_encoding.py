"""Encoding detection, record boundaries and delimiter sniffing on their own."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ringfence.errors import InputError
from ringfence.io.csvfile import first_record_end, record_boundary, sniff_delimiter
from ringfence.io.encoding import HEAD_BYTES, detect_encoding, iter_decoded

CHINESE = (
    "客户编号,姓名,地址,电话\n"
    "000001,张伟,北京市朝阳区建国路88号,13812345678\n"
    "000002,李娜,上海市南京路,13912345678\n"
)
KOREAN = "고객번호,성명,주소,전화\n000001,김민준,서울특별시 강남구 테헤란로 123,010-1234-5678\n"


def _detect(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    return detect_encoding(path, path.name)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (CHINESE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + KOREAN.encode("utf-8"), "utf-8-sig"),
        (CHINESE.encode("utf-16"), "utf-16"),
        (KOREAN.encode("utf-16-be"), "utf-16-be"),
        (CHINESE.encode("gb18030"), "gb18030"),
        (CHINESE.encode("gbk"), "gb18030"),
        (KOREAN.encode("euc_kr"), "cp949"),
        ("客户,电话\n李娜,13812345678\n".encode("gb18030"), "gb18030"),
        ("이름,전화\n최수아,010\n".encode("euc_kr"), "cp949"),
        (b"id,name\n1,plain ascii\n", "utf-8"),
    ],
)
def test_detects_the_common_encodings(tmp_path: Path, data: bytes, expected: str) -> None:
    assert _detect(tmp_path, data) == expected


def test_short_chinese_text_that_also_decodes_as_cp949_is_chinese(tmp_path: Path) -> None:
    text = "姓名,地址\n李娜,南京路\n刘洋,人民路\n"
    data = text.encode("gb18030")
    data.decode("cp949")  # the trap: these bytes are valid CP949 too

    assert _detect(tmp_path, data) == "gb18030"


def test_gbk_below_an_ascii_head_is_found_by_the_spread_sample(tmp_path: Path) -> None:
    lines = range(HEAD_BYTES // 20 + 100)
    ascii_head = b"id,name,city\n" + b"".join(b"%08d,customer,city\n" % i for i in lines)
    tail = "".join(f"{i},张伟,北京市朝阳区\n" for i in range(20_000)).encode("gbk")

    assert _detect(tmp_path, ascii_head + tail) == "gb18030"


def test_other_encodings_fall_back_to_charset_normalizer(tmp_path: Path) -> None:
    text = "氏名,住所\n山田太郎,東京都千代田区丸の内一丁目\n鈴木花子,大阪府大阪市北区梅田三丁目\n" * 20

    assert _detect(tmp_path, text.encode("shift_jis")) in ("shift_jis", "cp932")


def test_nul_bytes_mean_binary(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^x\.csv: holds NUL bytes"):
        _detect(tmp_path, b"id,phone\n1,13812345678\x00\n")


def test_decoding_in_chunks_never_splits_a_character(tmp_path: Path) -> None:
    text = "张伟北京市" * 1000
    path = tmp_path / "x.csv"
    path.write_bytes(text.encode("gb18030"))

    assert "".join(iter_decoded(path, "gb18030", "x.csv", chunk_bytes=7)) == text


def test_a_record_boundary_is_a_newline_outside_quotes() -> None:
    text = 'a,b\n1,"x\ny"\n2,"open\nquote'

    assert text[: record_boundary(text)] == 'a,b\n1,"x\ny"\n'
    assert record_boundary('1,"never closed\n') == 0
    assert record_boundary('1,"say ""hi""\n"\n2,') == len('1,"say ""hi""\n"\n')


def test_the_first_record_may_span_lines() -> None:
    text = 'id,"long\nheader"\n1,2\n'

    assert text[: first_record_end(text)] == 'id,"long\nheader"\n'
    assert first_record_end("no newline") == 0


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_sniffs_each_delimiter(delimiter: str) -> None:
    lines = ["id", "name", "address", "phone"], ["1", "张伟", '"Seoul, Gangnam; 3F | B"', "010"]
    text = "\n".join(delimiter.join(line) for line in lines) + "\n"

    assert sniff_delimiter(text) == delimiter


def test_a_delimiter_inside_quotes_does_not_count() -> None:
    text = 'name;note\n"a,b,c,d";x\n"e,f,g";y\n'

    assert sniff_delimiter(text) == ";"


def test_one_column_files_keep_the_default() -> None:
    assert sniff_delimiter("phone\n13812345678\n") == ","
    assert sniff_delimiter("phone\n13812345678\n", prefer_tab=True) == "\t"
