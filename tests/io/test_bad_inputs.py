"""Bad inputs give one-line InputError/UsageError messages that name the file and never quote its data.

Every bad file carries the same fake phone number; no message may contain it (or any part of it).
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import InputError, RingfenceError, UsageError
from ringfence.io.read import open_source, open_sources, read_table

from .conftest import FAKE_PHONE, customers

PHONE_DIGITS = FAKE_PHONE.replace(" ", "").lstrip("+")


def _fails(spec: object, error: type[RingfenceError] = InputError, *, action: str = "read_all") -> str:
    """Opens and reads ``spec``, expecting ``error``; returns the message after checking it is safe."""
    with pytest.raises(error) as caught:
        source = open_source(spec)  # type: ignore[arg-type]
        getattr(source, action)()
    message = str(caught.value)
    assert "\n" not in message
    assert FAKE_PHONE not in message and PHONE_DIGITS not in message and "5555" not in message
    assert caught.value.__cause__ is None or isinstance(caught.value.__cause__, RingfenceError)
    return message


def _png_bytes() -> bytes:
    header = b"\x89PNG\r\n\x1a\n"
    ihdr = b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    return header + ihdr + zlib.compress(FAKE_PHONE.encode() * 10)


def test_a_missing_file(tmp_path: Path) -> None:
    assert _fails(tmp_path / "customers.csv") == "customers.csv: no such file"


def test_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_bytes(b"")

    assert _fails(tmp_path / "customers.csv") == "customers.csv: is empty (0 bytes)"


def test_a_file_of_blank_lines(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text("\n\n  \n")

    assert "customers.csv" in _fails(tmp_path / "customers.csv")


def test_random_bytes_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(os.urandom(4096) + FAKE_PHONE.encode() + b"\x00")

    assert "customers.csv" in _fails(path)


def test_a_png_renamed_csv(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(_png_bytes())

    message = _fails(path)

    assert message.startswith("customers.csv:") and "binary" in message


def test_a_nul_byte_inside_a_field(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(f"id,phone\n1,{FAKE_PHONE}\x00\n".encode())

    assert "customers.csv" in _fails(path)


def test_a_nul_byte_far_down_a_large_file(tmp_path: Path) -> None:
    """Beyond the sampled blocks, the NUL is found while the batches are read."""
    rows = customers(60_000)
    text = rows.write_csv()
    cut = len(text) * 3 // 5
    cut = text.index("\n", cut) + 1
    path = tmp_path / "customers.csv"
    path.write_bytes(text[:cut].encode() + f"99,x,y,{FAKE_PHONE}\x00,1,2\n".encode() + text[cut:].encode())

    message = _fails(path)

    assert "customers.csv" in message and "NUL" in message


def test_a_truncated_parquet_file(tmp_path: Path) -> None:
    path = tmp_path / "customers.parquet"
    pl.DataFrame({"phone": [FAKE_PHONE] * 100}).write_parquet(path)
    path.write_bytes(path.read_bytes()[:-40])

    message = _fails(path)

    assert message.startswith("customers.parquet:") and "truncated" in message


def test_a_parquet_file_with_a_damaged_footer(tmp_path: Path) -> None:
    path = tmp_path / "customers.parquet"
    pl.DataFrame({"phone": [FAKE_PHONE] * 100}).write_parquet(path)
    data = bytearray(path.read_bytes())
    data[-30:-8] = b"\xff" * 22
    path.write_bytes(bytes(data))

    assert _fails(path).startswith("customers.parquet:")


def test_a_text_file_named_parquet(tmp_path: Path) -> None:
    path = tmp_path / "customers.parquet"
    path.write_text(f"id,phone\n1,{FAKE_PHONE}\n")

    assert "not a Parquet file" in _fails(path)


def test_a_row_with_more_fields_than_the_header_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(f'id,name,phone\n1,"Kim\nMinjun",010\n2,Lee,011\n3,Park,{FAKE_PHONE},extra\n4,Choi,012\n')

    message = _fails(path)

    assert message == "customers.csv: line 5 has 4 fields but the header has 3"


def test_a_ragged_row_in_a_gb18030_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "客户.csv"
    body = "".join(f"{i:06d},张伟,北京市\n" for i in range(2000))
    path.write_bytes(f"编号,姓名,地址\n{body}999,王芳,{FAKE_PHONE},上海市\n".encode("gb18030"))

    assert _fails(path) == "客户.csv: line 2002 has 4 fields but the header has 3"


def test_an_unclosed_quote(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(f'id,phone\n1,"{FAKE_PHONE}\n2,x\n')

    assert "quoted field" in _fails(path)


def test_invalid_utf8_after_a_clean_head(tmp_path: Path) -> None:
    """The head is ASCII; a stray Latin-1 byte sits beyond the sampled part of the file."""
    head = "id,phone\n" + "".join(f"{i},{FAKE_PHONE}\n" for i in range(80_000))
    path = tmp_path / "customers.csv"
    path.write_bytes(head.encode() + "9,Müller\n".encode("latin-1") + b"10,x\n")

    message = _fails(path)

    assert message.startswith("customers.csv:") and "UTF-8" in message


def test_invalid_bytes_in_a_gb18030_file_name_an_offset(tmp_path: Path) -> None:
    body = "".join(f"{i},张伟\n" for i in range(40_000)).encode("gb18030")
    path = tmp_path / "customers.csv"
    path.write_bytes("编号,姓名\n".encode("gb18030") + body + b"1,\x80\x80" + FAKE_PHONE.encode() + b"\n")

    message = _fails(path)

    assert message.startswith("customers.csv: the bytes near offset") and "gb18030" in message


def test_a_zip_archive_named_csv(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "customers.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", f"id,phone\n1,{FAKE_PHONE}\n")

    assert "zip archive" in _fails(path)


def test_a_broken_xlsx(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "customers.xlsx"
    path.write_bytes(b"PK\x03\x04" + FAKE_PHONE.encode() * 50)

    assert _fails(path).startswith("customers.xlsx:")


def test_excel_without_openpyxl_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    path = tmp_path / "customers.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    monkeypatch.setitem(sys.modules, "openpyxl", None)

    assert "ringfence[excel]" in _fails(path, UsageError)


def test_an_invalid_json_lines_file(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(f'{{"id": 1, "phone": "{FAKE_PHONE}"}}\n{{"id": 2, phone: {FAKE_PHONE}}}\n')

    assert _fails(path).startswith("events.jsonl: is not valid JSON lines")


def test_an_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "customers.dat"
    path.write_text(f"id,phone\n1,{FAKE_PHONE}\n")

    assert "customers.dat" in _fails(path, UsageError)


def test_a_folder_with_nothing_readable(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(FAKE_PHONE)
    (tmp_path / ".hidden.csv").write_text(f"id,phone\n1,{FAKE_PHONE}\n")

    with pytest.raises(InputError, match="no readable files") as caught:
        open_sources(tmp_path)
    assert tmp_path.name in str(caught.value)


def test_a_folder_given_where_a_file_is_expected(tmp_path: Path) -> None:
    assert "is a folder" in _fails(tmp_path)


def test_an_unknown_uri_scheme() -> None:
    message = _fails("mongodb://admin:hunter2@db.example.com/crm?table=customers", UsageError)

    assert "mongodb" in message and "hunter2" not in message


def test_a_database_that_refuses_the_connection_hides_the_password() -> None:
    for uri in (
        "postgresql://app:hunter2@127.0.0.1:1/crm?table=customers",
        "mysql://app:hunter2@127.0.0.1:1/crm?table=customers",
    ):
        message = _fails(uri)
        assert message.startswith("cannot connect to ")
        assert "hunter2" not in message and "127.0.0.1:1" in message


@pytest.mark.parametrize(
    "table",
    ["customers;DROP TABLE x", 'customers"--', "a.b.c", "customers where 1=1", "`x`", "", "1abc", "x'y"],
)
def test_sql_in_the_table_name_is_refused(table: str) -> None:
    for scheme in ("postgresql://u@127.0.0.1:1/db", "mysql://u@127.0.0.1:1/db", "sqlite:///x.db"):
        with pytest.raises(UsageError, match=r"\?table="):
            open_source(f"{scheme}?table={table}")


def test_reading_never_shows_a_traceback_through_read_table(tmp_path: Path) -> None:
    path = tmp_path / "customers.tsv"
    path.write_bytes(b"id\tphone\n" + f"1\t{FAKE_PHONE}\textra\n".encode())

    with pytest.raises(InputError) as caught:
        read_table(path)
    assert str(caught.value) == "customers.tsv: line 2 has 3 fields but the header has 2"


@pytest.mark.parametrize(
    ("module", "uri", "extra"),
    [
        ("psycopg", "postgresql://app:hunter2@127.0.0.1:1/crm?table=customers", "ringfence[postgres]"),
        ("pymysql", "mysql://app:hunter2@127.0.0.1:1/crm?table=customers", "ringfence[mysql]"),
    ],
)
def test_a_missing_database_driver_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, module: str, uri: str, extra: str
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, module, None)

    message = _fails(uri, UsageError)

    assert extra in message and "hunter2" not in message
