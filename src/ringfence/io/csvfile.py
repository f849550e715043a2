"""CSV and TSV tables: delimiter sniffing, any common encoding, every column as text, streamed.

Every column is read as ``pl.String``: an identifier keeps its leading zeros and a card number never
becomes a float. An unquoted empty field is null and a quoted empty field (``""``) is the empty string, the
convention PostgreSQL's ``COPY`` uses and Polars' CSV writer follows. A row with fewer fields than the
header is filled with nulls; a row with more fields is an error that names its line.

UTF-8 files (with or without a byte-order mark) are parsed by Polars straight from disk. Files in other
encodings are decoded chunk by chunk in memory (never copied to a temporary file, which would be another
copy of the personal data on disk): each chunk is cut at a record boundary (a newline outside quotes), the
header line is put in front of it and Polars parses it as a small CSV document, so both paths parse with
the same reader and the same options.

A file whose lines end in a bare carriage return (Excel's "CSV (Macintosh)") is recognised from its head
and read through the same decoding path with each CR turned into a newline, so it is never read as one
long header. A first line whose cells look like data (an e-mail address, a run of nine or more digits, or
mostly dates and numbers: a headerless export) is refused without quoting it, since a header cell is
shown in messages, policies and reports.

Cells and header cells that a spreadsheet-safe writer prefixed with an apostrophe (``'=x``, ``'-AB12345``)
read back as the values that were written (:func:`ringfence.io.formulas.restore_formulas`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ringfence.errors import SURELY_A_VALUE, InputError, UsageError, shown_column
from ringfence.io.encoding import UTF8_FAMILY, iter_decoded, read_sample
from ringfence.io.formulas import restore_formulas, restored_name

DELIMITERS = (",", "\t", ";", "|")
QUOTE = '"'
MAX_RECORD_CHARS = 256 << 20
_SNIFF_LINES = 50
_QUOTED = re.compile(r'"[^"]*"')
# A header cell that is probably a value: a date or a number.
_DATA_LIKE = re.compile(r"\s*[+-]?[0-9][0-9 ./:\-]*\s*")


def record_boundary(text: str) -> int:
    """The index just after the last newline of ``text`` that is outside quotes; 0 when there is none.

    A newline ends a record exactly when an even number of quote characters precede it (an escaped quote
    ``""`` counts twice), so counting quotes from the end finds the boundary without parsing the fields.
    """
    total = text.count(QUOTE)
    pos = text.rfind("\n")
    while pos >= 0:
        if (total - text.count(QUOTE, pos)) % 2 == 0:
            return pos + 1
        pos = text.rfind("\n", 0, pos)
    return 0


def first_record_end(text: str) -> int:
    """The index just after the first newline of ``text`` outside quotes; 0 when there is none."""
    quotes = 0
    start = 0
    pos = text.find("\n")
    while pos >= 0:
        quotes += text.count(QUOTE, start, pos)
        if quotes % 2 == 0:
            return pos + 1
        start = pos
        pos = text.find("\n", pos + 1)
    return 0


def sniff_delimiter(text: str, *, prefer_tab: bool = False) -> str:
    """The delimiter (one of ``, TAB ; |``) that splits the first lines of ``text`` most consistently.

    Quoted sections are removed first, so delimiters and newlines inside quotes do not count. A delimiter
    qualifies when it splits the header into at least two fields; among those, the one whose field count is
    the same on the most lines wins, then the one giving more fields, then the earlier in the list above
    (tab first for ``prefer_tab``). With none qualifying the file has one column and the default is
    returned.
    """
    boundary = record_boundary(text)
    if boundary:
        text = text[:boundary]
    lines = [line for line in _QUOTED.sub("", text).split("\n")[:_SNIFF_LINES] if line.strip()]
    order = ("\t", ",", ";", "|") if prefer_tab else DELIMITERS
    best: tuple[float, int] = (0.0, 0)
    chosen = order[0]
    for delimiter in order:
        counts = [line.count(delimiter) for line in lines]
        if not counts or counts[0] == 0:
            continue
        score = (sum(c == counts[0] for c in counts) / len(counts), counts[0])
        if score > best:
            best, chosen = score, delimiter
    return chosen


def _column_names(names: list[str]) -> list[str]:
    """Header names as read, with a blank name replaced by ``column_<position>`` (1-based) and the
    apostrophe our writer puts before a formula-like name removed (:mod:`ringfence.io.formulas`)."""
    return [restored_name(name) if name.strip() else f"column_{i}" for i, name in enumerate(names, start=1)]


def header_looks_like_data(names: list[str]) -> int | None:
    """The 1-based position of a header cell that shows the header is a data row, or None.

    A cell holding a line break, an e-mail address or nine digits in a row is a value, never a column name;
    so is a header whose cells are at least half dates and numbers (and more than one such).
    """
    for i, name in enumerate(names, start=1):
        if SURELY_A_VALUE.search(name):
            return i
    data_like = [i for i, name in enumerate(names, start=1) if _DATA_LIKE.fullmatch(name)]
    if len(data_like) > 1 and 2 * len(data_like) >= len(names):
        return data_like[0]
    return None


def cr_only(text: str) -> bool:
    """True when the lines of ``text`` (a file's head) end in a bare carriage return."""
    return "\r" in text and "\n" not in text


class CsvTable:
    """One delimited text file read as a table of text columns (the backend of a CSV/TSV Source)."""

    def __init__(
        self, path: Path, display: str, encoding: str, separator: str, *, cr_lines: bool = False
    ) -> None:
        self.path = path
        self.display = display
        self.encoding = encoding
        self.separator = separator
        self.cr_lines = cr_lines
        self._schema: pl.Schema | None = None

    @property
    def _from_disk(self) -> bool:
        return self.encoding in UTF8_FAMILY and not self.cr_lines

    def _scan(self, source: Path | bytes) -> pl.LazyFrame:
        return pl.scan_csv(
            source,
            separator=self.separator,
            quote_char=QUOTE,
            has_header=True,
            infer_schema=False,
            encoding="utf8",
            with_column_names=_column_names,
            truncate_ragged_lines=False,
            raise_if_empty=False,
            glob=False,  # a file name holding [ ] * ? names that file, not a pattern
        )

    def _documents(self) -> Iterator[bytes]:
        """The decoded file as UTF-8 CSV documents, each the header line followed by whole records.

        At least one document is produced, so a header-only file still has columns.
        """
        header: str | None = None
        pending = ""
        produced = False
        for text in iter_decoded(self.path, self.encoding, self.display):
            pending += text.replace("\r", "\n") if self.cr_lines else text
            cut = record_boundary(pending)
            if not cut:
                if len(pending) > MAX_RECORD_CHARS:
                    raise InputError(
                        f"{self.display}: a record runs on for more than {MAX_RECORD_CHARS >> 20} MiB; "
                        "a quoted field is probably never closed"
                    )
                continue
            body, pending = pending[:cut], pending[cut:]
            if header is None:
                end = first_record_end(body)
                header, body = body[:end], body[end:]
            if body or not produced:
                produced = True
                yield (header + body).encode("utf-8")
        if header is None:
            header, pending = pending, ""
        if pending or not produced:
            if not header.endswith("\n"):
                header += "\n"
            yield (header + pending).encode("utf-8")

    def _frames(self, batch_rows: int, columns: list[str] | None) -> Iterator[pl.DataFrame]:
        """Frames in file order, as Polars parses them; any size (``batch_rows`` is a hint), maybe empty."""
        if self._from_disk:
            scan = self._scan(self.path)
            if columns is not None:
                scan = scan.select(columns)
            yield from scan.collect_batches(chunk_size=batch_rows)
            return
        for document in self._documents():
            scan = self._scan(document)
            if columns is not None:
                scan = scan.select(columns)
            yield scan.collect()

    def schema(self) -> pl.Schema:
        if self._schema is None:
            try:
                if self._from_disk:
                    names = self._scan(self.path).collect_schema().names()
                else:
                    names = self._scan(next(self._documents())).collect_schema().names()
            except (pl.exceptions.PolarsError, pa.ArrowException) as exc:
                raise self.explain(exc) from None
            if not names:
                raise InputError(f"{self.display}: has no header line")
            position = header_looks_like_data(names)
            if position is not None:
                raise InputError(
                    f"{self.display}: the first line looks like data, not a header (column {position} of "
                    f"{len(names)}); add a header line naming the columns"
                )
            self._schema = pl.Schema(dict.fromkeys(names, pl.String()))
        return self._schema

    def batches(self, batch_rows: int, columns: list[str] | None) -> Iterator[pl.DataFrame]:
        schema = self.schema()
        empty = pl.DataFrame(schema=schema).select(columns) if columns is not None else None
        rows_before = 0
        try:
            for frame in self._frames(batch_rows, columns):
                for offset in range(0, frame.height, batch_rows):
                    batch = frame.slice(offset, batch_rows)
                    self._check_nul(batch, rows_before)
                    rows_before += batch.height
                    yield restore_formulas(batch)
        except (pl.exceptions.PolarsError, pa.ArrowException) as exc:
            raise self.explain(exc) from None
        if rows_before == 0:
            yield empty if empty is not None else pl.DataFrame(schema=schema)

    def count_rows(self) -> int:
        try:
            if self._from_disk:
                return int(self._scan(self.path).select(pl.len()).collect().item())
            return sum(int(self._scan(doc).select(pl.len()).collect().item()) for doc in self._documents())
        except (pl.exceptions.PolarsError, pa.ArrowException) as exc:
            raise self.explain(exc) from None

    def lazy(self) -> pl.LazyFrame | None:
        return None

    def sample_candidates(self, n: int, seed: int) -> Iterator[pl.DataFrame] | None:
        return None

    def _check_nul(self, batch: pl.DataFrame, rows_before: int) -> None:
        """Raises when a field of ``batch`` holds a NUL byte (a damaged or binary file)."""
        text_columns = [name for name, dtype in batch.schema.items() if dtype == pl.String]
        if not text_columns or batch.height == 0:
            return
        flags = batch.select(
            pl.any_horizontal(pl.col(text_columns).str.contains("\x00", literal=True)).fill_null(False)
        ).to_series()
        if not flags.any():
            return
        index = int(flags.arg_true()[0])
        column = next(
            name
            for name in text_columns
            if batch[name].str.contains("\x00", literal=True).fill_null(False)[index]
        )
        raise InputError(
            f"{self.display}: data row {rows_before + index + 1} (column {shown_column(column)}) holds a NUL "
            "byte; the file is damaged or not a text table"
        )

    def explain(self, exc: BaseException) -> InputError | UsageError:
        """A one-line error for a parse failure, naming the file and the line; never the data."""
        text = str(exc)
        if isinstance(exc, pl.exceptions.ColumnNotFoundError):
            return UsageError(f"{self.display}: a requested column does not exist")
        if "more fields" in text:
            where = locate_extra_fields(self.path, self.encoding, self.separator, len(self.schema()))
            if where is None:
                return InputError(f"{self.display}: a row has more fields than the header")
            line, fields = where
            return InputError(
                f"{self.display}: line {line} has {fields} fields but the header has {len(self.schema())}"
            )
        if "properly escaped" in text or "unterminated" in text.lower():
            return InputError(f"{self.display}: a quoted field is never closed (or a quote is not doubled)")
        if "utf-8" in text.lower() or "utf8" in text.lower():
            return InputError(
                f"{self.display}: is not valid UTF-8 throughout (it was detected as UTF-8 from a sample); "
                "save it as UTF-8 or name its encoding"
            )
        return InputError(f"{self.display}: cannot be parsed as CSV ({type(exc).__name__})")


def locate_extra_fields(path: Path, encoding: str, separator: str, expected: int) -> tuple[int, int] | None:
    """(line number, field count) of the first record with more than ``expected`` fields, or None.

    A separate streaming pass with PyArrow's CSV reader, which reports each malformed record to a
    callback. The record number is turned into a physical line number by adding the newlines held inside
    quoted fields of the records before it (records with too few fields are not counted; they are rare
    and almost never span lines).
    """
    found: list[tuple[int, int]] = []
    skipped_before = 0

    def on_invalid(row: pacsv.InvalidRow) -> str:
        nonlocal skipped_before
        if not found:
            if row.actual_columns > row.expected_columns and row.number is not None:
                found.append((int(row.number), int(row.actual_columns)))
            else:
                skipped_before += 1
        return "skip"

    names = [f"c{i}" for i in range(expected)]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            use_threads=False,
            column_names=names,
            encoding="utf8" if encoding in ("utf-8", "ascii") else encoding,
            block_size=4 << 20,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=separator, quote_char=QUOTE, newlines_in_values=True, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
    )
    seen = 0
    newlines = 0
    try:
        for batch in reader:
            take = batch.num_rows
            if found:
                take = max(0, min(take, found[0][0] - 1 - skipped_before - seen))
            part = batch.slice(0, take)
            for column in part.columns:
                counts = pc.count_substring(column, "\n")
                newlines += int(pc.sum(counts).as_py() or 0)
            seen += take
            if found and take < batch.num_rows:
                break
    except (pa.ArrowException, UnicodeError, OSError):
        return None
    if not found:
        return None
    record, fields = found[0]
    return record + newlines, fields


def open_csv(path: Path, display: str, *, encoding: str, tsv: bool) -> CsvTable:
    """A CSV backend for ``path`` whose text is in ``encoding``; the delimiter is sniffed from its head."""
    head = read_sample(path)[0]
    text = codecs.getincrementaldecoder(encoding)("replace").decode(head, final=False)
    if not text.strip():
        raise InputError(f"{display}: has no header line (only blank lines)")
    cr_lines = cr_only(text)
    if cr_lines:
        text = text.replace("\r", "\n")
    separator = sniff_delimiter(text.lstrip("\ufeff"), prefer_tab=tsv)
    return CsvTable(path, display, encoding, separator, cr_lines=cr_lines)
