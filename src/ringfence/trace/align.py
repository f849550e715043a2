"""Aligning a leak to the columns we released: renamed, reordered, reformatted, in another language.

Each leak column gets a *profile* from a spread sample: tokens (``rt1_`` values), an entity (the scanner's
classifier, :func:`ringfence.detect.classify.classify_frame`), a timestamp (a temporal type, or text
that one of :data:`DATE_FORMATS` reads, or epoch seconds/milliseconds under a time-like header), a number
(a numeric type, or amounts written as text: ``1,234.50``, ``₩56,780``, ``1.234,50``, ``CNY 131.92``),
or text. Each released column (a :class:`Target`: its name and, when the fingerprint record says so, its
kind) expects some kinds, from the record or from its name.

A leak column and a target are paired by evidence, best first, each at most once:

- ``header``: the same normalised name (``Amount`` ↔ ``amount``);
- ``synonym``: both names fall in one class of :data:`SYNONYMS` (``金额``, ``거래금액``, ``betrag`` ↔
  ``amount``) or name the same entity (:func:`ringfence.detect.headers.hinted_entities`);
- ``entity``: the leak's values are of the entity the target's name names;
- ``shape``: nothing in the names, but the only unpaired leak column and the only unpaired target of one
  kind (a ``col_7`` of amounts and the only amount left).

A pair always needs compatible kinds. The aligned frame has the paired columns under the released names,
in canonical types (numbers ``Float64``, timestamps ``Datetime("us")``, text stripped); columns the leak
lacks are absent. Conversions are Polars expressions over whole columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from ringfence.detect.classify import classify_frame
from ringfence.detect.headers import hinted_entities, normalise

__all__ = [
    "DATE_FORMATS",
    "SYNONYMS",
    "Alignment",
    "ColumnMatch",
    "Profile",
    "Target",
    "align",
    "profile",
]

TOKEN_RE = r"^rt1_[0-9a-f]{8}_[a-z2-7]{16,26}$"  # noqa: S105 - the token shape, not a secret
SHARE = 0.9  # of a sample's non-empty values, for a shape to hold
SAMPLE_ROWS = 5_000

# Name classes, each with the kind of value it holds; the first word is the class's own name.
SYNONYMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "amount": (
        "number",
        (
            *("amount", "amt", "price", "sum", "value", "金额", "交易金额", "金額", "금액", "거래금액"),
            *("결제금액", "betrag", "montant", "importe", "valor", "сумма"),
        ),
    ),
    "registered": ("timestamp", ("registered", "signup", "joined", "注册", "开户", "가입", "등록")),
    "birth": ("any", ("birth", "dob", "出生", "生日", "생년월일", "생일", "geburt", "nacimiento")),
    "timestamp": (
        "timestamp",
        (
            *("ts", "time", "timestamp", "datetime", "created", "txntime", "tradetime", "交易时间", "时间"),
            *("日期", "时刻", "거래일시", "일시", "시간", "날짜", "zeit", "datum", "fecha", "heure", "date"),
        ),
    ),
    "currency": (
        "text",
        ("currency", "ccy", "cur", "币种", "货币", "통화", "화폐", "währung", "devise", "moneda"),
    ),
    "status": ("text", ("status", "state", "状态", "상태", "estado", "statut")),
    "channel": ("text", ("channel", "渠道", "채널", "canal", "kanal")),
    "merchant": ("any", ("merchant", "mid", "商户", "商家", "가맹점", "händler", "comercio")),
    "customer": ("any", ("customer", "cust", "client", "user", "客户", "用户", "고객", "회원", "kunde")),
    "account": ("any", ("account", "acct", "账户", "账号", "계좌", "계정", "konto", "cuenta")),
    "transaction": ("any", ("txn", "transaction", "order", "流水", "交易号", "거래번호", "주문")),
    "memo": ("text", ("memo", "note", "remark", "comment", "备注", "附言", "비고", "메모")),
    "latitude": ("number", ("lat", "latitude", "纬度", "위도", "breite")),
    "longitude": ("number", ("lon", "lng", "longitude", "经度", "경도", "länge")),
    "city": ("text", ("city", "城市", "도시", "시군구", "stadt", "ciudad")),
    "country": ("text", ("country", "国家", "国别", "국가", "land", "pais")),
    "gender": ("text", ("gender", "sex", "性别", "성별", "geschlecht", "sexo")),
}

DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y%m%d%H%M%S",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d-%m-%Y %H:%M:%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y년 %m월 %d일 %H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y%m%d",
    "%Y年%m月%d日",
)

_CURRENCY = r"(?i)^\s*(?:[A-Z]{3}|[¥$€₩£元원円])?\s*|\s*(?:[A-Z]{3}|[¥$€₩£元원円])?\s*$"
_US_NUMBER = r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$"
_EU_NUMBER = r"^[+-]?(?:\d{1,3}(?:[.\u00a0 ]\d{3})+|\d+),\d+$"


@dataclass(frozen=True)
class Target:
    """A released column: its name, and the kind the fingerprint record gives it (else from its name)."""

    name: str
    kind: str | None = None


@dataclass(frozen=True)
class Profile:
    """What a leak column holds, from a sample."""

    name: str
    kind: str  # "token", "timestamp", "number", "text", or an entity name
    entity: str | None = None
    also: tuple[str, ...] = ()  # the other national ID of a mixed column
    date_format: str | None = None  # for timestamps written as text
    epoch: str | None = None  # "s" or "ms" for epoch numbers
    text_number: bool = False  # amounts written as text


@dataclass(frozen=True)
class ColumnMatch:
    leak: str
    target: str
    kind: str
    evidence: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "leak": self.leak,
            "released": self.target,
            "kind": self.kind,
            "evidence": list(self.evidence),
        }


@dataclass
class Alignment:
    """The leak's columns paired with released ones, and the aligned frame (released names, canonical
    types; unpaired columns left out)."""

    frame: pl.DataFrame
    matches: list[ColumnMatch]
    profiles: dict[str, Profile] = field(default_factory=dict)

    def to_json(self) -> list[dict[str, Any]]:
        return [m.to_json() for m in self.matches]


def _name_class(name: str) -> str | None:
    """The :data:`SYNONYMS` class of a header (the longest synonym it holds), or None."""
    norm = normalise(name)
    best: tuple[int, str] | None = None
    for cls, (_, words) in SYNONYMS.items():
        for word in words:
            hit = norm == word or ((len(word) > 3 or not word.isascii()) and word in norm)
            if hit and (best is None or len(word) > best[0]):
                best = (len(word), cls)
    return best[1] if best else None


def _amount_text(col: pl.Expr) -> pl.Expr:
    """Amounts written as text (``1,234.50``, ``₩56,780``, ``1.234,50``) as Float64; null otherwise."""
    bare = col.cast(pl.String).str.replace_all(_CURRENCY, "").str.strip_chars()
    us = bare.str.replace_all(",", "", literal=True)
    eu = bare.str.replace_all(r"[.\u00a0 ]", "").str.replace(",", ".", literal=True)
    return (
        pl.when(bare.str.contains(_US_NUMBER))
        .then(us)
        .when(bare.str.contains(_EU_NUMBER))
        .then(eu)
        .otherwise(pl.lit(None, dtype=pl.String))
        .cast(pl.Float64, strict=False)
    )


def _share(sample: pl.Series, parsed: pl.Series) -> float:
    present = int(sample.is_not_null().sum())
    return int(parsed.is_not_null().sum()) / present if present else 0.0


def _timestamp_format(text: pl.Series) -> str | None:
    """The :data:`DATE_FORMATS` entry that reads the most values of a text sample (at least
    :data:`SHARE` of them), or None."""
    best: tuple[float, str] | None = None
    for fmt in DATE_FORMATS:
        parsed = text.str.strip_chars().str.to_datetime(fmt, strict=False, time_unit="us")
        share = _share(text, parsed)
        if share >= SHARE and (best is None or share > best[0]):
            best = (share, fmt)
    return best[1] if best else None


def _epoch(values: pl.Series, name: str) -> str | None:
    if _name_class(name) != "timestamp" or not values.dtype.is_integer() or values.is_null().all():
        return None
    low, high = values.min(), values.max()
    assert isinstance(low, int) and isinstance(high, int)
    if low >= 9.4e8 and high <= 4.1e9:
        return "s"
    if low >= 9.4e11 and high <= 4.1e12:
        return "ms"
    return None


def profile(sample: pl.DataFrame) -> dict[str, Profile]:
    """The profile of every column of a sample (see the module docstring)."""
    strings = [c for c, d in sample.schema.items() if d == pl.String]
    findings = {f.name: f for f in classify_frame(sample.select(strings))} if strings else {}
    found: dict[str, Profile] = {}
    for name, dtype in sample.schema.items():
        values = sample.get_column(name)
        if dtype.is_temporal():
            found[name] = Profile(name, "timestamp")
        elif dtype.is_numeric():
            epoch = _epoch(values, name)
            found[name] = Profile(name, "timestamp" if epoch else "number", epoch=epoch)
        elif dtype == pl.String:
            text = values.str.strip_chars().replace("", None)
            if _share(text, text.filter(text.str.contains(TOKEN_RE))) >= SHARE:
                found[name] = Profile(name, "token")
            elif name in findings and findings[name].entity:
                finding = findings[name]
                also = tuple(str(a["entity"]) for a in finding.also)
                found[name] = Profile(name, str(finding.entity), entity=finding.entity, also=also)
            elif (fmt := _timestamp_format(text)) is not None:
                found[name] = Profile(name, "timestamp", date_format=fmt)
            elif _share(text, text.to_frame().select(_amount_text(pl.col(name))).to_series()) >= SHARE:
                found[name] = Profile(name, "number", text_number=True)
            else:
                found[name] = Profile(name, "text")
        else:
            found[name] = Profile(name, "text")
    return found


def _expected(target: Target) -> set[str] | None:
    """The kinds a released column may hold, or None when nothing says (any kind will do)."""
    if target.kind is not None:
        return {target.kind}
    kinds: set[str] = set()
    cls = _name_class(target.name)
    if cls is not None and SYNONYMS[cls][0] != "any":
        kinds.add(SYNONYMS[cls][0])
    hinted = hinted_entities(target.name)
    if hinted:  # a released identifier is usually a token, sometimes masked or kept
        kinds |= hinted | {"token", "text"}
    return kinds or None


def _compatible(kind: str, expected: set[str] | None) -> bool:
    if expected is None:
        return True
    return kind in expected or (kind not in ("token", "timestamp", "number") and "text" in expected)


def _evidence(leak: Profile, target: Target) -> tuple[str, ...]:
    found = []
    if normalise(leak.name) == normalise(target.name):
        found.append("header")
    else:
        cls = _name_class(leak.name)
        same_class = cls is not None and cls == _name_class(target.name)
        if same_class or hinted_entities(leak.name) & hinted_entities(target.name):
            found.append("synonym")
    if leak.entity is not None and leak.entity in hinted_entities(target.name):
        found.append("entity")
    return tuple(found)


_WEIGHT = {"header": 3, "synonym": 2, "entity": 2}


def align(leak: pl.DataFrame, targets: Sequence[Target], sample: pl.DataFrame | None = None) -> Alignment:
    """Pairs the leak's columns with ``targets`` and converts them (see the module docstring)."""
    profiles = profile(sample if sample is not None else _spread(leak))
    scored: list[tuple[int, int, str, Target, tuple[str, ...]]] = []
    for order, (name, prof) in enumerate(profiles.items()):
        for target in targets:
            if not _compatible(prof.kind, _expected(target)):
                continue
            evidence = _evidence(prof, target)
            if evidence:
                scored.append((-sum(_WEIGHT[e] for e in evidence), order, name, target, evidence))
    scored.sort(key=lambda s: (s[0], s[1]))
    matches: dict[str, ColumnMatch] = {}
    taken: set[str] = set()
    for _, _, name, target, evidence in scored:
        if name not in matches and target.name not in taken:
            matches[name] = ColumnMatch(name, target.name, profiles[name].kind, evidence)
            taken.add(target.name)
    _by_shape(profiles, targets, matches, taken)
    ordered = [matches[n] for n in profiles if n in matches]
    frame = leak.select([_canonical(profiles[m.leak]).alias(m.target) for m in ordered])
    return Alignment(frame, ordered, profiles)


def _by_shape(
    profiles: dict[str, Profile], targets: Iterable[Target], matches: dict[str, ColumnMatch], taken: set[str]
) -> None:
    """Pairs, per kind with a shape (timestamps, numbers), the only unpaired leak column with the only
    unpaired target expecting it."""
    for kind in ("timestamp", "number"):
        left = [p for n, p in profiles.items() if n not in matches and p.kind == kind]
        open_targets = [t for t in targets if t.name not in taken and kind in (_expected(t) or set())]
        if len(left) == 1 and len(open_targets) == 1:
            leak, target = left[0], open_targets[0]
            matches[leak.name] = ColumnMatch(leak.name, target.name, kind, ("shape",))
            taken.add(target.name)


def _canonical(prof: Profile) -> pl.Expr:
    """A leak column in its canonical type (see the module docstring)."""
    col = pl.col(prof.name)
    if prof.kind == "timestamp":
        if prof.epoch is not None:
            unit: Literal["s", "ms"] = "ms" if prof.epoch == "ms" else "s"
            return pl.from_epoch(col, time_unit=unit).cast(pl.Datetime("us"))
        if prof.date_format is not None:
            parsed = col.str.strip_chars().str.to_datetime(prof.date_format, strict=False, time_unit="us")
            return parsed.dt.replace_time_zone(None) if "%z" in prof.date_format else parsed
        return col.cast(pl.Datetime("us"))
    if prof.kind == "number":
        return _amount_text(col) if prof.text_number else col.cast(pl.Float64)
    return col.cast(pl.String).str.strip_chars()


def _spread(frame: pl.DataFrame, n: int = SAMPLE_ROWS) -> pl.DataFrame:
    """Up to ``n`` rows spread evenly over the frame."""
    if frame.height <= n:
        return frame
    return frame.gather_every(frame.height // n).head(n)
