"""Reading files: every format and encoding round-trips, streams in batches, samples the whole file."""

from __future__ import annotations

import codecs
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ringfence.errors import UsageError
from ringfence.io.read import open_source, open_sources, read_table
from ringfence.io.write import write_table

from .conftest import customers

HANGUL = "[\uac00-\ud7a3]"
HAN = "[\u4e00-\u9fff]"


def _chinese_only(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("name").str.contains(HAN) & pl.col("address").str.contains(HAN))


def _korean_only(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("name").str.contains(HANGUL) & pl.col("address").str.contains(HANGUL))


@pytest.mark.parametrize("fmt", ["parquet", "csv", "tsv", "jsonl"])
def test_a_written_table_reads_back_identical(tmp_path: Path, rows: pl.DataFrame, fmt: str) -> None:
    path = tmp_path / f"customers.{fmt}"
    write_table(rows, path)

    source = open_source(path)

    assert (source.name, source.kind, source.location) == (path.name, fmt, str(path.resolve()))
    assert source.schema() == rows.schema
    assert source.count_rows() == rows.height
    assert_frame_equal(source.read_all(), rows)
    assert_frame_equal(read_table(path), rows)
    assert_frame_equal(source.lazy().collect(), rows)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "tsv", "jsonl"])
@pytest.mark.parametrize("name", ["settlement[2026-11]", "export*", "q?"])
def test_a_file_name_that_looks_like_a_pattern_names_just_that_file(
    tmp_path: Path, rows: pl.DataFrame, fmt: str, name: str
) -> None:
    path = tmp_path / f"{name}.{fmt}"
    write_table(rows, path)
    write_table(rows.head(1), tmp_path / f"{name.strip('[]*?')}x.{fmt}")  # what a pattern would also match

    source = open_source(path)

    assert source.count_rows() == rows.height
    assert_frame_equal(source.read_all(), rows)
    assert source.sample(5, seed=1).height == 5


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_batches_stream_the_file_in_order_and_project_columns(tmp_path: Path, fmt: str) -> None:
    rows = customers(1000)
    path = tmp_path / f"customers.{fmt}"
    write_table(rows, path)

    batches = list(open_source(path).batches(batch_rows=128, columns=["phone", "customer_id"]))

    assert len(batches) >= 8
    assert all(0 < batch.height <= 128 for batch in batches)
    assert_frame_equal(pl.concat(batches), rows.select("phone", "customer_id"))


def test_csv_keeps_identifiers_as_text_with_their_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_no,card,zip\n000123,4111111111111111,01234\n0099,5500000000000004,00501\n")

    frame = read_table(path)

    assert frame.schema == pl.Schema({"account_no": pl.String, "card": pl.String, "zip": pl.String})
    assert frame["account_no"].to_list() == ["000123", "0099"]
    assert frame["zip"].to_list() == ["01234", "00501"]


@pytest.mark.parametrize(
    ("encoding", "pick", "detected"),
    [
        ("gb18030", _chinese_only, "gb18030"),
        ("gbk", _chinese_only, "gb18030"),
        ("euc_kr", _korean_only, "cp949"),
        ("cp949", _korean_only, "cp949"),
        ("utf-8-sig", lambda frame: frame, "utf-8-sig"),
        ("utf-16", lambda frame: frame, "utf-16"),
        ("utf-16-le", lambda frame: frame, "utf-16-le"),
    ],
)
def test_csv_in_each_common_encoding_reads_back_identical(
    tmp_path: Path, encoding: str, pick: object, detected: str
) -> None:
    rows = pick(customers(80))  # type: ignore[operator]
    path = tmp_path / "customers.csv"
    path.write_bytes(rows.write_csv().encode(encoding))

    source = open_source(path)

    assert source._backend.encoding == detected  # type: ignore[attr-defined]
    assert source.schema().names() == rows.columns
    assert_frame_equal(source.read_all(), rows)
    assert source.count_rows() == rows.height
    assert_frame_equal(pl.concat(list(source.batches(batch_rows=5))), rows)


def test_a_chinese_header_and_values_survive_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "客户.csv"
    text = (
        "客户编号,姓名,地址,电话\n"
        "000001,张伟,北京市朝阳区建国路88号,+86 138 1234 5678\n"
        "000002,李娜,南京路,13912345678\n"
    )
    path.write_bytes(text.encode("gb18030"))

    frame = read_table(path)

    assert frame.columns == ["客户编号", "姓名", "地址", "电话"]
    assert frame.row(0) == ("000001", "张伟", "北京市朝阳区建国路88号", "+86 138 1234 5678")
    assert frame.row(1) == ("000002", "李娜", "南京路", "13912345678")


def test_a_korean_header_and_values_survive_euc_kr(tmp_path: Path) -> None:
    path = tmp_path / "고객.csv"
    text = "고객번호,성명,주소,전화번호\n000001,김민준,서울특별시 강남구 테헤란로 123,010-1234-5678\n"
    path.write_bytes(text.encode("euc_kr"))

    frame = read_table(path)

    assert frame.columns == ["고객번호", "성명", "주소", "전화번호"]
    assert frame.row(0) == ("000001", "김민준", "서울특별시 강남구 테헤란로 123", "010-1234-5678")


@pytest.mark.parametrize("separator", [";", "|", "\t", ","])
def test_the_delimiter_is_sniffed(tmp_path: Path, rows: pl.DataFrame, separator: str) -> None:
    path = tmp_path / "export.csv"
    rows.write_csv(path, separator=separator)

    frame = read_table(path)

    assert_frame_equal(frame, rows)


def test_quoted_fields_hold_delimiters_quotes_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        'id,address,note\n1,"Seoul, Gangnam-gu","said ""call me"" at\n+82 10-5555-1212"\n'
        '2,"a;b|c",""\n3,x,\n',
        encoding="utf-8",
    )

    frame = read_table(path)

    assert frame["address"].to_list() == ["Seoul, Gangnam-gu", "a;b|c", "x"]
    assert frame["note"].to_list() == ['said "call me" at\n+82 10-5555-1212', "", None]


def test_rows_with_fewer_fields_than_the_header_are_filled_with_nulls(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("id,name,phone\n1,张伟,13812345678\n2,王芳\n")

    frame = read_table(path)

    assert frame.row(1) == ("2", "王芳", None)


def test_a_header_only_csv_is_an_empty_table_with_columns(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("customer_id,name,phone\n")

    source = open_source(path)

    assert source.count_rows() == 0
    frame = source.read_all()
    assert frame.height == 0
    assert frame.columns == ["customer_id", "name", "phone"]
    assert source.sample(10).columns == frame.columns


def test_blank_header_cells_get_positional_names(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("id,,phone\n1,x,2\n")

    assert read_table(path).columns == ["id", "column_2", "phone"]


def test_an_eight_megabyte_field_is_read_whole(tmp_path: Path) -> None:
    big = "가" * (4 << 20) + "end"  # 8 MiB in CP949
    path = tmp_path / "big.csv"
    path.write_bytes(f'id,blob\n1,"{big}"\n2,small\n'.encode("cp949"))

    frame = read_table(path)

    assert frame["blob"].to_list() == [big, "small"]


def test_a_large_non_utf8_file_is_decoded_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks cut at record boundaries (never inside quotes or characters) rebuild the exact table."""
    monkeypatch.setattr("ringfence.io.encoding.CHUNK_BYTES", 1000)
    rows = _chinese_only(customers(600))
    path = tmp_path / "big.csv"
    path.write_bytes(rows.write_csv().encode("gb18030"))

    source = open_source(path)

    assert_frame_equal(source.read_all(), rows)
    assert source.count_rows() == rows.height


def test_a_parquet_file_named_csv_is_read_as_parquet(tmp_path: Path, rows: pl.DataFrame) -> None:
    path = tmp_path / "customers.csv"
    rows.write_parquet(path)

    source = open_source(path)

    assert source.kind == "parquet"
    assert_frame_equal(source.read_all(), rows)


def test_parquet_keeps_its_types(tmp_path: Path) -> None:
    import datetime

    rows = pl.DataFrame({"id": ["001"], "amount": [12.5], "n": [3], "day": [datetime.date(2024, 1, 2)]})
    path = tmp_path / "typed.parquet"
    write_table(rows, path)

    assert open_source(path).schema() == rows.schema


def test_a_json_array_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "customers.json"
    path.write_text('[{"id": "001", "name": "张伟"}, {"id": "002", "name": "김민준"}]', encoding="utf-8")

    source = open_source(path)

    assert source.kind == "json"
    assert source.read_all().to_dict(as_series=False) == {"id": ["001", "002"], "name": ["张伟", "김민준"]}


def test_excel_first_sheet_reads_as_text(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import datetime

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["客户编号", "이름", "phone", "joined", None])
    sheet.append(["000123", "张伟", "+86 138 1234 5678", datetime.datetime(2024, 1, 2, 3, 4, 5), None])
    sheet.append(["000124", "김민준", 13812345678, None, None])
    sheet.append([None, None, None, None, None])
    path = tmp_path / "customers.xlsx"
    workbook.save(path)

    source = open_source(path)
    frame = source.read_all()

    assert source.kind == "excel"
    assert frame.columns == ["客户编号", "이름", "phone", "joined", "column_5"]
    assert frame.schema == pl.Schema(dict.fromkeys(frame.columns, pl.String))
    assert frame.rows() == [
        ("000123", "张伟", "+86 138 1234 5678", "2024-01-02 03:04:05", None),
        ("000124", "김민준", "13812345678", None, None),
    ]
    assert source.count_rows() == 2


def test_sample_draws_rows_from_the_whole_file_repeatably(tmp_path: Path) -> None:
    rows = customers(10_000)
    path = tmp_path / "customers.csv"
    write_table(rows, path)
    source = open_source(path)

    first = source.sample(200, seed=7)
    again = source.sample(200, seed=7)
    other = source.sample(200, seed=8)

    assert first.height == 200
    assert_frame_equal(first, again)
    assert not first.equals(other)
    positions = first["customer_id"].cast(pl.Int64)
    assert positions.is_sorted()
    assert positions.min() < 1000 and positions.max() > 9000  # type: ignore[operator]
    assert first.join(rows, on=first.columns, how="anti", nulls_equal=True).height == 0


def test_sample_does_not_depend_on_how_the_input_is_batched(tmp_path: Path) -> None:
    rows = customers(3000)
    csv, parquet = tmp_path / "c.csv", tmp_path / "c.parquet"
    write_table(rows, csv)
    write_table(rows, parquet)

    assert_frame_equal(open_source(csv).sample(50, seed=3), open_source(parquet).sample(50, seed=3))


def test_sample_of_a_small_table_is_the_whole_table(tmp_path: Path, rows: pl.DataFrame) -> None:
    path = tmp_path / "c.jsonl"
    write_table(rows, path)

    assert_frame_equal(open_source(path).sample(10_000), rows)


def test_lazy_pushes_projections_and_filters_down(tmp_path: Path) -> None:
    rows = customers(500)
    path = tmp_path / "customers.csv"
    path.write_bytes(rows.write_csv().encode("utf-16"))

    result = open_source(path).lazy().filter(pl.col("phone") == "13912345678").select("customer_id").collect()

    assert_frame_equal(result, rows.filter(pl.col("phone") == "13912345678").select("customer_id"))


def test_a_folder_expands_to_its_readable_files_sorted(tmp_path: Path, rows: pl.DataFrame) -> None:
    write_table(rows, tmp_path / "b_accounts.parquet")
    write_table(rows, tmp_path / "a_customers.csv")
    write_table(rows, tmp_path / "c_events.jsonl")
    (tmp_path / ".hidden.csv").write_text("a\n1\n")
    (tmp_path / ".c_events.jsonl.rf-tmp-123-abcd").write_text("{}")
    (tmp_path / "README.md").write_text("not data")
    (tmp_path / "sub").mkdir()
    write_table(rows, tmp_path / "sub" / "nested.csv")

    sources = open_sources(tmp_path)

    assert [source.name for source in sources] == ["a_customers.csv", "b_accounts.parquet", "c_events.jsonl"]
    assert [source.kind for source in sources] == ["csv", "parquet", "jsonl"]


def test_open_sources_of_a_file_is_that_file(tmp_path: Path, rows: pl.DataFrame) -> None:
    path = tmp_path / "customers.tsv"
    write_table(rows, path)

    [source] = open_sources(str(path))

    assert source.kind == "tsv"


def test_a_file_uri_is_a_path(tmp_path: Path, rows: pl.DataFrame) -> None:
    path = tmp_path / "customers.parquet"
    write_table(rows, path)

    assert_frame_equal(read_table(path.as_uri()), rows)


def test_an_explicit_encoding_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("name,city\nMüller,Zürich\n".encode("latin-1"))

    assert read_table(path, encoding="latin-1").row(0) == ("Müller", "Zürich")
    with pytest.raises(UsageError, match="unknown text encoding"):
        open_source(path, encoding="no-such-codec")


def test_asking_for_a_missing_column_is_a_usage_error(tmp_path: Path, rows: pl.DataFrame) -> None:
    path = tmp_path / "customers.csv"
    write_table(rows, path)

    with pytest.raises(UsageError, match="no column 'email'"):
        open_source(path).batches(columns=["email"])


def test_a_source_repr_names_the_input(tmp_path: Path, rows: pl.DataFrame) -> None:
    path = tmp_path / "customers.csv"
    write_table(rows, path)

    assert repr(open_source(path)) == (
        f"Source(name='customers.csv', kind='csv', location={str(path.resolve())!r})"
    )


def test_bom_is_not_part_of_the_first_column_name(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + "客户编号;姓名\n001;张伟\n".encode())

    assert read_table(path).columns == ["客户编号", "姓名"]
