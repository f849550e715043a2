"""The column classifier: value evidence, header hints and distribution combined into one finding.

For each column of a sample, every entity validator runs over the non-empty values at once (one Polars
query for the whole table), giving each entity's *hit rate*. The classifier then decides:

1. **Values first.** An entity is a candidate when its hit rate clears the entity's acceptance threshold,
   which sits far above the rate at which random look-alikes pass by chance (16 random digits pass Luhn
   10% of the time; a date-prefixed 18-digit order number almost never has a valid region code, birth
   date *and* check digit).
2. **Headers adjust.** A header hint in English, Chinese or Korean (:mod:`ringfence.detect.headers`)
   lowers the threshold for the entity it names (a phone column half full of ``N/A`` is still a phone
   column); a business header (``order_no``, ``交易流水号``) raises all thresholds. Entities whose values
   cannot prove themselves (bank account numbers: any run of digits) need a hint.
3. **Distribution decides look-alikes.** Dates are birth dates only when they carry no time and spread
   over adult ages; single numbers in the latitude/longitude range are coordinates only when the header
   says so; a column of one repeated value is not an identifier.
4. **Free text** (long values with words) is searched for entity spans; a column in which validated
   personal data appears inside the text is ``FREE_TEXT_PII`` with the entities it ``contains``.

Each entity's bar, tier, gate, precedence, need of a hint and free-text span come from its spec
(:class:`ringfence.detect.spec.Detection`); the tables below are derived from the specs.

``confidence`` is the hit rate shrunk by the evidence that supports it: the share of values that prove
the entity, raised by a matching header and lowered by few values. It is 0.0 for non-personal columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ringfence.detect import entities
from ringfence.detect.entities import date_of_birth, free_text, geo, internal_id
from ringfence.detect.headers import hinted_entities, says_not_personal
from ringfence.detect.vocabulary import FREE_TEXT, NATIONAL_IDS

JUNK_VALUES = (
    "",
    "-",
    "--",
    "—",
    "?",
    "n/a",
    "na",
    "null",
    "none",
    "nil",
    "nan",
    "unknown",
    "#n/a",
    "<na>",
    "(null)",
    "\\n",
    "n.a.",
    "–",
    "－",
    "未知",
    "不详",
    "暂无",
    "无",
    "空",
    "없음",
    "미상",
    "해당없음",
    "해당 없음",
    # German, French and Japanese exports (round two)
    "k.a.",
    "keine angabe",
    "n.v.",
    "n.c.",
    "なし",
    "不明",
    "該当なし",
)

# The classifier's tables, derived from the entity specs (ringfence.detect.spec.Detection), in order of
# precedence: when two entities both clear their bar, the more specific wins (ties in adjusted score).
_DETECTED = sorted(
    ((s.entity, s.detection) for s in entities.SPECS.values() if s.detection), key=lambda d: d[1].precedence
)
SPECIFICITY: tuple[str, ...] = tuple(entity for entity, _ in _DETECTED)
# Entities whose values prove themselves (a checksum or a strict structure) and the hit rate needed.
STRONG: dict[str, float] = {entity: d.bar for entity, d in _DETECTED if d.tier == "strong"}
# Entities recognised by shape only: higher bar, and some need the header to agree.
WEAK: dict[str, float] = {entity: d.bar for entity, d in _DETECTED if d.tier == "weak"}
NEEDS_HINT = frozenset(entity for entity, d in _DETECTED if d.needs_hint)
HINT_RELIEF = 0.35  # a matching header lowers the bar by this much
BUSINESS_PENALTY = 0.25  # a business header raises every bar by this much
MIN_VALUES = 5  # fewer non-empty values than this: no decision

# Spans searched inside free text (ringfence.detect.entities.free_text), validated by the entity modules
# whose spec names the span's kind before they count.
_SPAN_ENTITIES: dict[str, tuple[str, ...]] = {
    kind: tuple(entity for entity, d in _DETECTED if d.span == kind) for kind in free_text.SPANS
}


@dataclass
class ColumnFinding:
    """What the classifier concluded about one column."""

    name: str
    entity: str | None
    confidence: float
    hit_rate: float = 0.0
    country: str | None = None
    evidence: list[str] = field(default_factory=list)
    contains: list[str] = field(default_factory=list)
    non_empty: int = 0
    examples: list[str] = field(default_factory=list)  # masked; for reports to people, never in JSON
    # Other entities a share of the values validates as (a national_id column of Chinese and Korean
    # customers): {"entity": ..., "hit_rate": ...}, reported beside the majority entity.
    also: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        if self.entity is None:
            return {"name": self.name, "entity": None, "confidence": 0.0}
        doc: dict[str, Any] = {
            "name": self.name,
            "entity": self.entity,
            "confidence": round(self.confidence, 4),
            "hit_rate": round(self.hit_rate, 4),
            "country": self.country,
            "evidence": self.evidence,
        }
        if self.contains:
            doc["contains"] = self.contains
        if self.also:
            doc["also"] = self.also
        return doc


# No value longer than this lower-cases to a junk placeholder (lower-casing never shortens a string).
_JUNK_MAX_CHARS = max(len(v) for v in JUNK_VALUES)


def clean_text(column: str) -> pl.Expr:
    """The column as trimmed text, with empty strings and junk placeholders (``N/A``, ``未知``) as null."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(text.str.to_lowercase().is_in(JUNK_VALUES)).then(None).otherwise(text).alias(column)


def clean_frame(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """:func:`clean_text` of the given columns, computed in two stages (trim, then junk to null).

    Equal to ``frame.select([clean_text(c) for c in columns])`` and about three times cheaper: the
    trimmed text is materialised once, and only values short enough to be junk are lower-cased.
    """
    trimmed = frame.select([pl.col(c).cast(pl.String).str.strip_chars() for c in columns])
    exprs = []
    for c in columns:
        text = pl.col(c)
        short = text.str.len_chars() <= _JUNK_MAX_CHARS
        junk = pl.when(short).then(text.str.to_lowercase().is_in(JUNK_VALUES)).otherwise(False)
        exprs.append(pl.when(junk).then(None).otherwise(text).alias(c))
    return trimmed.select(exprs)


def _score(entity: str, text: pl.Expr) -> pl.Expr:
    """Per value, how strongly it is an instance of ``entity`` (0..1; null for null)."""
    return entities.get(entity).score_expr(text).cast(pl.Float64)


def _prose(text: pl.Expr) -> pl.Expr:
    """Prose: at least two letters (any script) and a space or a non-ASCII character; timestamps and
    numbers with spaces are not prose."""
    return text.str.contains(r"\p{L}.*\p{L}") & text.str.contains(r"\s|[^\x00-\x7F]")


def _profile(frame: pl.DataFrame) -> dict[str, dict[str, float]]:
    """Per column: non-empty count, distinct share, mean length, share of values with a space."""
    exprs: list[pl.Expr] = []
    for c in frame.columns:
        text = clean_text(c)
        exprs += [
            text.count().alias(f"{c}\x1fn"),
            text.n_unique().alias(f"{c}\x1funique"),
            text.str.len_chars().mean().alias(f"{c}\x1flen"),
            text.str.contains(r"\s").mean().alias(f"{c}\x1fspaced"),
            _prose(text).mean().alias(f"{c}\x1ftexty"),
        ]
    row = frame.select(exprs).row(0, named=True)
    result: dict[str, dict[str, float]] = {c: {} for c in frame.columns}
    for key, value in row.items():
        column, measure = key.split("\x1f")
        result[column][measure] = float(value or 0.0)
    return result


# Cheap pre-filters (each spec's Detection.gate): a value that fails its entity's gate cannot pass the
# entity's validator, so the (much dearer) validator runs only on the values that pass. Each gate must
# accept a superset of what the validator accepts; ``tests/detect/test_classify_platform.py`` checks that
# on realistic data. ``\d`` and ``\s`` are Unicode-aware, so full-width digits and ideographic spaces
# pass the gates.
GATES: dict[str, str] = {entity: d.gate for entity, d in _DETECTED}


def _hit_rates(frame: pl.DataFrame) -> dict[str, dict[str, float]]:
    """Each entity's mean score over each column's non-empty values.

    The columns are stacked into one long text column, so each entity's validator is built once for the
    whole table; and each validator runs only on the values that pass the entity's cheap gate.
    """
    long = (
        frame.select([clean_text(c) for c in frame.columns])
        .unpivot(variable_name="column", value_name="value")
        .drop_nulls("value")
    )
    counts = long.group_by("column").len()
    totals = {str(c): int(n) for c, n in zip(counts["column"], counts["len"], strict=True)}
    rates: dict[str, dict[str, float]] = {c: dict.fromkeys(SPECIFICITY, 0.0) for c in frame.columns}
    for entity in SPECIFICITY:
        gated = long.filter(pl.col("value").str.contains(GATES[entity]))
        if gated.height == 0:
            continue
        # Score in a plain select (vectorized), then sum per column: aggregating the validator inside
        # group_by would evaluate it group by group.
        scored = gated.select("column", _score(entity, pl.col("value")).fill_null(0.0).alias("s"))
        sums = scored.group_by("column").agg(pl.col("s").sum())
        for column, total in zip(sums["column"], sums["s"], strict=True):
            rates[str(column)][entity] = float(total or 0.0) / max(1, totals.get(str(column), 0))
    return rates


def _birth_dates_plausible(frame: pl.DataFrame, column: str) -> bool:
    """Dates spread over adult ages with no time of day: birth dates, not event timestamps."""
    series = frame.get_column(column)
    if series.dtype == pl.Datetime:
        times = series.drop_nulls()
        if times.len() and (times.dt.time() != dt.time(0)).any():
            return False
    dates = frame.select(date_of_birth.birth_date_expr(clean_text(column)).alias("d"))["d"].drop_nulls()
    if dates.len() < MIN_VALUES:
        return False
    text = frame.select(clean_text(column))[column].drop_nulls()
    if _number(text.str.contains(r"\d{1,2}:\d{2}").mean()) > 0.2:
        return False
    years = dates.dt.year()
    age = dt.date.today().year - years
    median_age = _number(age.median())
    spread = _number(years.std())
    return 16 <= median_age <= 95 and spread >= 4


def _number(value: object) -> float:
    """A Polars scalar result as a float (0.0 for null)."""
    return float(value) if isinstance(value, int | float) else 0.0


def _country(frame: pl.DataFrame, column: str, entity: str) -> str | None:
    """The spec's country, or the most common country its ``country_of`` reads from the values."""
    spec = entities.SPECS[entity]
    if spec.country is not None or spec.country_of is None:
        return spec.country
    regions = frame.select(spec.country_of(clean_text(column)).alias("r"))["r"].drop_nulls()
    if regions.len() == 0:
        return None
    top = regions.value_counts(sort=True).row(0)
    return str(top[0])


def _free_text(frame: pl.DataFrame, column: str, non_empty: int) -> tuple[list[str], float]:
    """Entities found inside the text of a column, validated, with the share of rows that hold any."""
    text = clean_text(column)
    holding: pl.Series | None = None
    found: list[str] = []
    need = max(2, int(0.005 * non_empty))
    for kind, pattern in free_text.SPANS.items():
        spans = (
            frame.select(pl.int_range(pl.len()).alias("row"), text.str.extract_all(pattern).alias("span"))
            .explode("span")
            .drop_nulls("span")
        )
        if kind == "digits":  # trim the non-digit edges the pattern matched around the number
            spans = spans.with_columns(pl.col("span").str.replace_all(free_text.DIGIT_EDGES, ""))
        elif kind == "ipv4":
            spans = spans.with_columns(pl.col("span").str.replace_all(free_text.IPV4_EDGES, ""))
        if spans.height == 0:
            continue
        for entity in _SPAN_ENTITIES[kind]:
            valid = spans.filter(entities.get(entity).valid_expr(pl.col("span")).fill_null(False))
            rows = valid.get_column("row").unique()
            if rows.len() >= need:
                found.append(entity)
                holding = rows if holding is None else pl.concat([holding, rows]).unique()
    share = (holding.len() / non_empty) if (holding is not None and non_empty) else 0.0
    return sorted(found), share


def masked_examples(frame: pl.DataFrame, column: str, n: int = 3) -> list[str]:
    """Up to ``n`` distinct values of the column with all but their edges hidden (``138•••••678``).

    Values of up to 4 characters are hidden entirely; longer ones keep at most 3 leading and 3 trailing
    characters and never more than a third of the value.
    """
    text = clean_text(column)
    keep = (text.str.len_chars() // 6).clip(0, 3)
    hidden = text.str.len_chars() - 2 * keep
    masked = (
        text.str.slice(0, keep)
        + pl.lit("•").repeat_by(hidden).list.join("")
        + text.str.slice(text.str.len_chars() - keep, keep)
    )
    values = frame.select(masked.alias("m")).get_column("m").drop_nulls().unique(maintain_order=True)
    return [str(v) for v in values.head(n).to_list()]


def classify_frame(frame: pl.DataFrame) -> list[ColumnFinding]:
    """Classifies every column of ``frame`` (a sample of a table)."""
    if frame.width == 0:
        return []
    profile = _profile(frame)
    rates = _hit_rates(frame)
    findings = [_decide(frame, c, profile[c], rates[c]) for c in frame.columns]
    for finding in findings:
        if finding.entity is not None:
            finding.examples = masked_examples(frame, finding.name)
    return findings


def _decide(
    frame: pl.DataFrame, column: str, profile: dict[str, float], rates: dict[str, float]
) -> ColumnFinding:
    non_empty = int(profile["n"])
    if non_empty < MIN_VALUES:
        return _header_only(column, non_empty)
    hints = hinted_entities(column)
    business = says_not_personal(column)
    if business:
        hints = set()
    dtype = frame.schema[column]
    if dtype.is_float():
        # Floating-point numbers are amounts, rates or coordinates; only a header makes them coordinates.
        return _single_coordinate(frame, column, non_empty, hints)
    if geo.ENTITY in hints and not _is_coordinate_pair(frame, column):
        # A latitude or longitude written as text ("121.473701") must not pass as a run of digits.
        single = _single_coordinate(frame, column, non_empty, hints)
        if single.entity is not None:
            return single
    candidates: list[tuple[float, int, str, float]] = []
    for rank, entity in enumerate(SPECIFICITY):
        rate = rates.get(entity, 0.0)
        # CN resident IDs and KR RRNs side by side (one column for both countries' customers): the two
        # cannot be confused, so the column clears the bar on their sum; the majority names it.
        cleared = (
            rate + sum(rates.get(o, 0.0) for o in NATIONAL_IDS if o != entity)
            if entity in NATIONAL_IDS
            else rate
        )
        bar = STRONG.get(entity, WEAK.get(entity, 1.0))
        if entity in hints:
            bar -= HINT_RELIEF
        elif entity in NEEDS_HINT:
            continue
        if business:
            bar += BUSINESS_PENALTY
        if cleared < bar or rate == 0.0:
            continue
        if entity == date_of_birth.ENTITY and not _birth_dates_plausible(frame, column):
            continue
        if entity == geo.ENTITY and entity not in hints and not _is_coordinate_pair(frame, column):
            continue
        if entity == internal_id.ENTITY and profile.get("unique", 0) < _many_keys(non_empty):
            continue  # a handful of keys repeated over the rows are categories, not people
        candidates.append((rate + (0.2 if entity in hints else 0.0), -rank, entity, rate))
    if not candidates and geo.ENTITY in hints:
        return _single_coordinate(frame, column, non_empty, hints)
    if profile.get("unique", 0) <= 1 and non_empty > MIN_VALUES:
        candidates = []  # one repeated value identifies nobody
    if candidates:
        _, _, entity, rate = max(candidates)
        evidence = ["values"] + (["header"] if entity in hints else [])
        also = _also(entity, rate, rates)
        if also:
            evidence.append("mixed")
            rate_with = rate + sum(a["hit_rate"] for a in also)
            confidence = _confidence(rate_with, entity in hints, non_empty, weak=entity in WEAK)
        else:
            confidence = _confidence(rate, entity in hints, non_empty, weak=entity in WEAK)
        finding = ColumnFinding(
            column, entity, confidence, rate, _country(frame, column, entity), evidence, non_empty=non_empty
        )
        finding.also = also
        return finding
    if frame.schema[column] == pl.String and not business:
        texty = profile.get("texty", 0) >= 0.5
        # Prose; and, in any other text column, personal values scattered through it (a remark column
        # with a phone in 1 row of 50) or held in structured text (JSON blobs holding an ID) must not pass
        # as "no personal data".
        contains, share = _free_text(frame, column, non_empty) if texty else _sparse(frame, column, rates)
        if not texty and profile.get("texty", 0) > 0:
            # Mostly placeholders ("ok", "done") and some sentences ("call me at ..."): the sentences
            # are searched like prose, however few they are.
            # Only direct identifiers count here: a date inside a written-out date ("2024년 3월 15일") is
            # no birth date.
            prose = frame.filter(_prose(clean_text(column)).fill_null(False))
            inside, inside_share = _free_text(prose, column, prose.height)
            inside = [e for e in inside if entities.SPECS[e].kind == "direct"]
            inside_share = inside_share if inside else 0.0
            contains = sorted(set(contains) | set(inside))
            share = min(1.0, share + inside_share * prose.height / max(1, non_empty))
        if contains:
            evidence = ["values"] + (["header"] if FREE_TEXT in hints else []) + ([] if texty else ["sparse"])
            confidence = min(0.99, 0.75 + 0.2 * min(1.0, share * 10) + (0.04 if "header" in evidence else 0))
            return ColumnFinding(column, FREE_TEXT, confidence, share, None, evidence, contains, non_empty)
    return ColumnFinding(column, None, 0.0, non_empty=non_empty)


# A national-ID column holds the other country's IDs too when at least this share validates as them.
MIXED_SHARE = 0.05
# A text column where at least this share of values is a strong entity's value (a checksum or a strict
# structure), or holds one inside structured text, holds personal data however rare: 1 row in 200.
SPARSE_SHARE = 0.005
_STRUCTURED = r"^\s*[\[{]|\":\s*"


def _sparse(frame: pl.DataFrame, column: str, rates: dict[str, float]) -> tuple[list[str], float]:
    """Strong entities making up at least :data:`SPARSE_SHARE` of a text column's values, and entities
    inside its structured values (JSON, ``"key": value``); with the share of values holding any."""
    # Direct identifiers only: a date among dates is no birth date, however it parses.
    direct = {e for e in STRONG if entities.SPECS[e].kind == "direct"}
    whole = sorted(
        e for e in direct if rates.get(e, 0.0) >= SPARSE_SHARE and e not in _look_alikes(frame, column, rates)
    )
    share = sum(rates.get(e, 0.0) for e in whole)
    text = clean_text(column)
    structured = frame.filter(text.str.contains(_STRUCTURED).fill_null(False))
    if structured.height:
        inside, inside_share = _free_text(structured, column, structured.height)
        share += inside_share * structured.height / max(1, int(frame.select(text.count()).item()))
        whole = sorted(set(whole) | set(inside))
    return whole, min(1.0, share)


# A column where the values shaped like an entity mostly fail its check is a column of look-alikes
# (references with a check digit that does not hold, routing numbers, other countries' IDs): the few that
# pass by chance (1 in 10 for a check digit) are not sparse personal data.
LOOK_ALIKE_SHARE = 0.5
PROVEN = 0.8


def _look_alikes(frame: pl.DataFrame, column: str, rates: dict[str, float]) -> set[str]:
    """The strong entities of which the column holds mostly failing look-alikes: values of the entity's
    shape (its gate, with no words or structure around), not valid as another of the column's sparse
    entities (a phone's gate also takes the ID numbers beside the phones of a remark column), of which
    under half prove themselves."""
    text = clean_text(column)
    sparse = [e for e in STRONG if rates.get(e, 0.0) >= SPARSE_SHARE]
    if not sparse:
        return set()
    alone = ~text.str.contains(r"\p{L}{3}|[{}\[\]\"=:]")
    # proven: the values that prove themselves (a check digit that holds: score 0.8 or more), not those
    # an entity accepts without proof (an RRN whose check digit fails, an IMEI of no allocated TAC)
    valid = {e: _score(e, text).fill_null(0.0) >= PROVEN for e in sparse}
    counts = frame.select(
        [(alone & valid[e]).sum().alias(f"v{e}") for e in sparse]
        + [
            (
                alone
                & text.str.contains(GATES[e])
                & ~pl.any_horizontal([valid[o] for o in sparse if o != e] or [pl.lit(False)])
            )
            .fill_null(False)
            .sum()
            .alias(f"s{e}")
            for e in sparse
        ]
    ).row(0, named=True)
    return {e for e in sparse if counts[f"s{e}"] and counts[f"v{e}"] / counts[f"s{e}"] < LOOK_ALIKE_SHARE}


# The evidence of a finding made on the header alone, with too few values to check (a file with headers
# and no rows): fail closed, the column is protected as its header says, and the draft says so.
NO_VALUES = "no values"


def _header_only(column: str, non_empty: int) -> ColumnFinding:
    """The entity the header names, when the column has fewer than :data:`MIN_VALUES` values to check;
    the most specific one when it names several. No entity for a business header or none."""
    hints = set() if says_not_personal(column) else hinted_entities(column)
    named = [e for e in (*SPECIFICITY, FREE_TEXT) if e in hints]
    if not named:
        return ColumnFinding(column, None, 0.0, non_empty=non_empty)
    entity = named[0]
    country = entities.SPECS[entity].country
    return ColumnFinding(column, entity, 0.5, 0.0, country, ["header", NO_VALUES], non_empty=non_empty)


def _many_keys(non_empty: int) -> float:
    """The distinct count that makes a column of keys a column of people's keys: a twentieth of the
    values (a transaction table repeats each customer's key), and at least 20."""
    return max(20.0, 0.05 * non_empty)


def _also(entity: str, rate: float, rates: dict[str, float]) -> list[dict[str, Any]]:
    """The other national ID a mixed column holds (CN resident IDs and KR RRNs side by side), if any.

    The two formats cannot be confused (18 characters with a GB/T 2260 region vs ``YYMMDD-GNNNNNN``), so
    their hit rates add up; the majority is the column's entity and the other is listed beside it.
    """
    if entity not in NATIONAL_IDS:
        return []
    return [
        {"entity": other, "hit_rate": round(rates.get(other, 0.0), 4)}
        for other in NATIONAL_IDS
        if other != entity and rates.get(other, 0.0) >= MIXED_SHARE and rate + rates.get(other, 0.0) <= 1.0001
    ]


def _single_coordinate(frame: pl.DataFrame, column: str, non_empty: int, hints: set[str]) -> ColumnFinding:
    """A column of single latitudes or longitudes: coordinates only when the header says so."""
    if geo.ENTITY not in hints:
        return ColumnFinding(column, None, 0.0, non_empty=non_empty)
    in_range = geo.range_expr(clean_text(column), geo.axis_of(column))
    rate = float(frame.select(in_range.cast(pl.Float64).mean()).item() or 0.0)
    if rate < STRONG[geo.ENTITY] - HINT_RELIEF:
        return ColumnFinding(column, None, 0.0, non_empty=non_empty)
    confidence = _confidence(rate, True, non_empty, weak=True)
    return ColumnFinding(
        column, geo.ENTITY, confidence, rate, None, ["values", "header"], non_empty=non_empty
    )


def validator_for(finding: ColumnFinding, text: pl.Expr | None = None) -> pl.Expr:
    """The expression that checks each value of the finding's column against its entity (for ``--full``).

    ``text`` is the column's :func:`clean_text` (by default computed here). A column the classifier read
    as single latitudes or longitudes is checked by range, not as pairs.
    """
    text = clean_text(finding.name) if text is None else text
    entity = str(finding.entity)
    if entity == geo.ENTITY:
        single = geo.range_expr(text, geo.axis_of(finding.name))
        return (geo.valid_expr(text) | single).fill_null(False)
    return entities.get(entity).valid_expr(text).fill_null(False)


def coordinate_limit(finding: ColumnFinding) -> float:
    """The largest absolute value of the single latitude or longitude the finding's column holds."""
    return geo.LIMITS[geo.axis_of(finding.name)]


def _is_coordinate_pair(frame: pl.DataFrame, column: str) -> bool:
    text = clean_text(column)
    share = frame.select(text.str.contains(r"[0-9]\s*[,;/ ]\s*-?[0-9NSEWnsew]").mean())[0, 0]
    return bool(share and share > 0.8)


def _confidence(rate: float, hinted: bool, n: int, *, weak: bool) -> float:
    small_sample = min(1.0, n / 50)
    base = (0.55 + 0.4 * rate) if weak else (0.6 + 0.39 * rate)
    if hinted:
        base += 0.05
    return round(max(0.0, min(0.99, base * (0.8 + 0.2 * small_sample))), 4)
