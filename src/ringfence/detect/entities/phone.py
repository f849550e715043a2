"""Phone number (Chinese, Korean and Japanese numbers, international numbers, and US and European ones).

Round two (issue 14): Japan is a third home (``090-1234-5678``, ``03-1234-5678``, bare or in at most three
groups); other countries' numbers in + or 00 form must fit that country's numbering plan (phonenumbers'
patterns of every number type, one alternation per calling code), not just E.164's length; US, UK,
French, Italian, Dutch and German numbers written at home count when written in groups (``(650)
253-0000``, ``(0161) 496 0000``, ``01 23 45 67 89``), scoring 0.6; an extension (``x066``, ``ext. 12``)
and the ``(0)`` after a country code are not part of the number; and a number valid in Korea but
written in another country's grouping is that country's (European numbers were reported as KR).

A value is a phone number when, with separators removed (spaces, hyphens, dots, brackets, slashes), it
is a valid number for python's ``phonenumbers`` library read as a Chinese number, else as a Korean one,
and it is written the way people write numbers: so ``138 1234 5678``, ``+86 138-1234-5678``,
``0086 13812345678``, ``8613812345678``, ``010-1234-5678``, ``+82 10 1234 5678``, ``02-123-4567`` and
``+1 650 253 0000`` all count. A leading ``+`` or ``00`` is the international prefix (Korean carrier
prefixes such as ``001``/``008`` are not read). Letters (vanity numbers, ``ext. 12``) do not count.

Stricter than ``phonenumbers``, which reads any digits that could be dialled: a landline needs its trunk
0 or a country code (``2025072112`` is a date and a serial, not Guangzhou 20-25072112; ``1012345678`` is
not Beijing but a Korean mobile whose 0 was lost when the column was typed as a number), a country code
without ``+``/``00`` is read only before a mobile number, a carrier-selection prefix (``17951 138...``) is
not stripped, and a value with a single dot is a decimal number (``121.473712``), not a number with a dot
as separator (``138.1234.5678``).

The column version (:func:`valid_expr`) is one regular expression over the compacted value, built when
this module is imported from the same ``phonenumbers`` metadata: the national-number patterns of every
number type of CN and KR (fixed line, mobile, toll free, ...) inside the grammar of written forms above
(which :func:`validate` checks with the same expression). It agrees with :func:`is_valid` on Chinese and
Korean numbers written in any of those ways (``tests/detect/test_phone.py`` checks it, and that every type
pattern only matches lengths the metadata allows, so the length tables need no separate test). It differs:

- for other countries' numbers (``+`` or ``00`` then a country code other than 86 and 82) it checks the
  national number against the patterns of every region sharing the code, without ``phonenumbers``'
  length tables (the patterns bound the lengths); their :func:`score_expr` is 0.8 instead of 1.0;
- :func:`region_expr` names the country by calling code (the main country of a shared code, e.g. US for
  +1) where ``phonenumbers`` looks at the number ranges.

>>> validate('+86 138-1234-5678'), region('010-12345678'), region('010-1234-5678'), region('02-123-4567')
('+8613812345678', 'CN', 'KR', 'KR')
>>> is_valid('１３８１２３４５６７８'), is_valid('1381234567'), is_valid('ext 12')
(True, False, False)
"""

from __future__ import annotations

import re

import phonenumbers
import polars as pl
from phonenumbers import NumberParseException, PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidComponent, InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "PHONE_NUMBER",
    label="Phone number",
    kind="direct",
    category="contact",
    hints=Hints(
        en=("phone", "mobile", "cellphone", "tel", "msisdn"),
        zh=("手机", "电话", "联系方式", "联系电话", "手机号"),
        ko=("휴대폰", "핸드폰", "전화", "연락처", "휴대전화"),
        ja=("電話", "携帯"),
        eu=("telefon", "téléphone", "telefono", "teléfono", "handy"),
    ),
    detection=Detection("strong", bar=0.6, gate=r"\d.*\d.*\d.*\d.*\d.*\d", precedence=80, span="digits"),
    draft=Draft(
        "tokenize",
        {"scope": "recipient"},
        "keyed token: joins within this recipient's copy, links to no other copy",
    ),
    country_of=lambda col: region_expr(col),
    mask=(3, 4),
)
ENTITY = SPEC.entity

REGIONS = ("CN", "KR")  # tried in this order when a number has no country code
SEPARATORS = _text.WHITESPACE + _text.INVISIBLE + _text.DASHES + "().\\/"
_TYPES = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)
_MAX_DIGITS = 20


def national_pattern(region: str, types: tuple[str, ...] = _TYPES) -> str:
    """A regex for the region's valid national numbers of ``types``, ASCII digits only."""
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None:
        raise InvalidComponent(f"{ENTITY}: no phone metadata for region {region}")
    patterns = []
    for name in types:
        desc = getattr(meta, name)
        if desc is None or not desc.national_number_pattern or tuple(desc.possible_length) == (-1,):
            continue
        patterns.append(desc.national_number_pattern.replace(r"\d", "[0-9]"))
    return "(?:" + "|".join(patterns) + ")"


_CN = national_pattern("CN")
_KR = national_pattern("KR")
_CN_MOBILE = national_pattern("CN", ("mobile",))
_KR_MOBILE = national_pattern("KR", ("mobile",))
_INTL = r"(?:\+|00)"


def _other_countries() -> str:
    """Every calling code other than 86 and 82 followed by a national number valid in one of its
    regions (phonenumbers' patterns of every number type), as one alternation."""
    parts = []
    for code, regions in sorted(COUNTRY_CODE_TO_REGION_CODE.items()):
        if code in (86, 82):
            continue
        patterns = [national_pattern(r) for r in regions if PhoneMetadata.metadata_for_region(r) is not None]
        if patterns:
            parts.append(f"{code}(?:{'|'.join(patterns)})")
    return "(?:" + "|".join(parts) + ")"


# A country calling code other than 86 and 82, then a national number valid in that country's plan.
_OTHER = _other_countries()
# How numbers are written at home: a landline with its trunk 0 (010-12345678, 02-123-4567), a Chinese
# mobile with or without it, Chinese 400/800 and Korean 15xx service numbers as they are; and abroad:
# + or 00 and the country code, then the national number (a stray trunk 0 tolerated); the country code
# without + only before a mobile (8613812345678, 821012345678), where digits alone are unambiguous enough.
_CN_HOME = rf"0{_CN}|{_CN_MOBILE}|{national_pattern('CN', ('toll_free',))}|400[0-9]{{7}}"
# A Korean mobile that lost its trunk 0 (1012345678: the column was once typed as a number) still counts,
# for 010 numbers only: the retired 011/016-019 ones without their 0 read like Unix times (1700000000).
_KR_TRUNKLESS = r"10[0-9]{8}"
_KR_HOME = rf"0{_KR}|{_KR_TRUNKLESS}|{national_pattern('KR', ('uan',))}"
_CN_NUMBER = rf"{_INTL}860?{_CN}|86{_CN_MOBILE}|{_CN_HOME}"
_KR_NUMBER = rf"{_INTL}820?{_KR}|820?{_KR_MOBILE}|{_KR_HOME}"
_CN_RE = _text.anchored(_CN_NUMBER)
_KR_RE = _text.anchored(_KR_NUMBER)
# Japan, the third home: a national number after its trunk 0 (090-1234-5678, 03-1234-5678).
_JP_NUMBER = "0" + national_pattern("JP")
_JP_RE = _text.anchored(_JP_NUMBER)
_jp_number = _text.fullmatcher(_JP_NUMBER)
# As Japanese numbers are written: bare, or in at most three groups ending in four digits (03-1234-5678,
# 090-1234-5678, (0120) 12-3456 is not; 01 23 45 67 89 is a French number).
_JP_GROUPING = r"[0-9]+|\(?0[0-9]{1,4}\)?[ \-]?[0-9]{1,4}[ \-]?[0-9]{4}"
_jp_grouping = _text.fullmatcher(_JP_GROUPING)


def _jp(number: str, written: str) -> bool:
    return bool(_jp_number(number) and _jp_grouping(written))


# Other countries' numbers written at home, with their national prefix ((0161) 496 0000, 030 1234567,
# 01 23 45 67 89, (650) 253-0000): only when written in groups (bare digits are too often something
# else), and weaker evidence than a home or international number. US numbers need the 3-3-4 grouping.
ABROAD = ("US", "GB", "FR", "IT", "NL", "DE")  # in this order when digits fit several (DE's plan fits most)


def _abroad_pattern(region: str) -> str:
    meta = PhoneMetadata.metadata_for_region(region)
    prefix = (meta.national_prefix or "") if meta is not None else ""
    return f"{prefix}?{national_pattern(region)}" if region == "US" else prefix + national_pattern(region)


_ABROAD_RE = {region: _text.anchored(_abroad_pattern(region)) for region in ABROAD}
_abroad = {region: _text.fullmatcher(_abroad_pattern(region)) for region in ABROAD}
_NANP_GROUPING = r"(?:\+?1[ .\-]?)?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .\-])[2-9][0-9]{2}[ .\-][0-9]{4}"
_nanp_grouping = _text.fullmatcher(_NANP_GROUPING)
# An extension after the number (x066, ext. 12, #3) and the (0) written between a country code and the
# national number (+44 (0)20...) are not part of the number.
EXTENSION = r"\s*(?:[xX#]|[eE][xX][tT]\.?|[eE]xtension)\s*[0-9]{1,6}$"
_extension = re.compile(EXTENSION)
_OTHER_RE = _text.anchored(_INTL + _OTHER)
# Chinese and Korean numbers (checked first, on every value); other countries' (a long alternation) only
# on what they leave.
_HOME_RE = _text.anchored(f"{_CN_NUMBER}|{_KR_NUMBER}")
_written_validly = _text.fullmatcher(f"{_CN_NUMBER}|{_KR_NUMBER}|{_INTL}{_OTHER}")
# "00" and digits alone is a zero-padded number (0012345678) far more often than a call abroad, which is
# written with + or with groups (001 650 253 0000): other countries' 00 numbers need a separator.
_zero_padded = _text.fullmatcher("00" + _OTHER)
_BARE_RE = r"^\s*[0-9]+\s*$"
_bare = re.compile(r"\s*[0-9]+\s*").fullmatch
_KR_TRUNKLESS_RE = _text.anchored(_KR_TRUNKLESS)
# One dot is a decimal point (121.473712 is a longitude), not a separator: 138.1234.5678 has two.
_ONE_DOT_RE = r"^[^.]*\.[^.]*$"
_KR_RE_PY = _text.fullmatcher(_KR_NUMBER)
_CN_RE_PY = _text.fullmatcher(_CN_NUMBER)
# Korean mobiles are written 010-1234-5678; the same digits are also a valid Beijing number (010-12345678),
# so the grouping decides the country when the number is valid in both.
_KR_GROUPING = r"(?:\+82[ \-.]?)?0?1[016789][ \-.][0-9]{3,4}[ \-.][0-9]{4}"
# Korean landlines are written with their area code (02, 031-064) as the first group; a number valid in
# Korea but written otherwise ((0161) 496 0066, 04 15 39 15 00) is another country's, when valid there.
_KR_GROUPING = rf"{_KR_GROUPING}|(?:\+82[ \-.]?)?\(?0?(?:2|[3-6][1-5])\)?[ \-.][0-9]{{3,4}}[ \-.][0-9]{{4}}"
_kr_grouping = _text.fullmatcher(_KR_GROUPING)
_ONE_DOT = re.compile(_ONE_DOT_RE, re.DOTALL)
_SHAPE = r"\+?[0-9]+"
_shape = _text.fullmatcher(_SHAPE)


def _written(value: str) -> str:
    """The value NFKC-normalised and trimmed, without an extension or a ``(0)``."""
    text = _text.strip(_extension.sub("", _text.strip(_text.nfkc(value))))
    return text.replace("(0)", "")


def compact(value: str) -> str:
    """The number NFKC-normalised, without spaces, hyphens, dots, brackets or slashes (a leading + stays),
    an extension (``x066``, ``ext. 12``) or a ``(0)`` after the country code."""
    return _text.delete(_written(value), SEPARATORS)


def _abroad_region(written: str, number: str) -> str | None:
    """The first of :data:`ABROAD` whose national number ``number`` is, written in groups."""
    if _bare(written) or number.startswith(("+", "00")):
        return None
    for region in ABROAD:
        if _abroad[region](number) and (region != "US" or _nanp_grouping(written)):
            return region
    return None


def _parse(number: str, abroad: str | None = None) -> phonenumbers.PhoneNumber | None:
    # "+" or "00" starts an international number. Only CN's reading is used for those: Korea's carrier
    # prefixes (001, 002, 008...) would read 0086... as 008 then +62 (Indonesia).
    # A national number is read in China, Korea and Japan, and in another country only when it is
    # written the way that country writes its numbers (``abroad``, see :func:`_abroad_region`).
    home = (*REGIONS, "JP") + ((abroad,) if abroad else ())
    regions = REGIONS[:1] if number.startswith(("+", "00")) else home
    for region in regions:
        try:
            parsed = phonenumbers.parse(number, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return parsed
    return None


def validate(value: str) -> str:
    """The compact number, or raises: not digits (with an optional leading +), or not a valid number."""
    if _ONE_DOT.match(_text.nfkc(value)):
        raise InvalidFormat(f"{ENTITY}: a number with one dot is a decimal, not a phone number")
    written = _written(value)
    number = _text.delete(written, SEPARATORS)
    if not _shape(number):
        raise InvalidFormat(f"{ENTITY}: a phone number is digits with an optional leading +")
    if len(number) > _MAX_DIGITS + 1:
        raise InvalidLength(f"{ENTITY}: too many digits for a phone number")
    abroad = _abroad_region(written, number)
    if _parse(number, abroad) is None:
        raise InvalidComponent(f"{ENTITY}: not a valid Chinese, Korean or international number")
    if not (_written_validly(number) or _jp(number, written) or abroad):
        raise InvalidFormat(
            f"{ENTITY}: not written as a phone number is (a landline needs its trunk 0 or a country code)"
        )
    if _zero_padded(number) and not _CN_RE_PY(number) and not _KR_RE_PY(number) and _bare(written):
        raise InvalidFormat(f"{ENTITY}: 00 and digits alone is a zero-padded number, not a call abroad")
    return number


def is_valid(value: object) -> bool:
    """Whether ``value`` is a valid phone number (never raises)."""
    return is_valid_by(validate, value)


def region(value: str) -> str:
    """The ISO 3166 country of a valid number: CN for numbers valid in both CN and KR unless written in
    the Korean mobile grouping (``010-1234-5678``)."""
    number = validate(value)
    written = _written(value)
    if _kr_grouping(written) and _KR_RE_PY(number):
        return "KR"
    if _CN_RE_PY(number):
        return "CN"
    if _jp(number, written):
        return "JP"
    abroad = _abroad_region(written, number)
    if abroad is not None:
        return abroad
    if _KR_RE_PY(number):
        return "KR"
    parsed = _parse(number, abroad)
    assert parsed is not None  # validate checked it
    return str(phonenumbers.region_code_for_number(parsed))


def e164(value: str) -> str:
    """The number in E.164 form (``+8613812345678``)."""
    number = validate(value)
    parsed = _parse(number, _abroad_region(_written(value), number))
    assert parsed is not None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.delete_expr(_written_expr(_text.as_text(col)), SEPARATORS)


def _written_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`_written` of every value (the regexes run only where an extension or (0) may be)."""
    text = _text.strip_expr(_text.nfkc_expr(col))
    odd = text.str.contains(r"[A-Za-z#]|\(0\)")
    stripped = _text.strip_expr(text.str.replace(EXTENSION, "")).str.replace_all("(0)", "", literal=True)
    return pl.when(odd).then(stripped).otherwise(text)


def _checks(series: pl.Series) -> pl.DataFrame:
    """Staged: ``number`` (the compact number), ``valid``, ``cn``/``kr``/``jp``/``abroad`` (and one
    ``abroad_XX`` per country of :data:`ABROAD`). Values already written compactly skip the cleaning;
    every intermediate is computed once per batch, and the dear checks (other countries' plans, Japan,
    national numbers abroad) only on the values the Chinese and Korean checks left invalid."""
    frame = _text.value_frame(series)
    raw = pl.col(_text.VALUE)
    frame = frame.with_columns(plain=raw.str.contains(_HOME_RE), written=_written_expr(raw))
    frame = frame.with_columns(
        number=pl.when(pl.col("plain")).then(raw).otherwise(_text.delete_expr(pl.col("written"), SEPARATORS)),
        decimal=pl.col("written").str.contains(_ONE_DOT_RE).fill_null(False),
    )
    number = pl.col("number")
    # Every alternative of the regex is bounded (at most 19 characters), like validate's length check.
    frame = frame.with_columns(
        valid=(pl.col("plain") | (~pl.col("decimal") & number.str.contains(_HOME_RE))).fill_null(False),
        cn=number.str.contains(_CN_RE),
        kr=number.str.contains(_KR_RE),
        padded=(number.str.starts_with("00") & pl.col("written").str.contains(_BARE_RE)).fill_null(False),
        trunkless=number.str.contains(_KR_TRUNKLESS_RE),
        kr_grouped=pl.col("written").str.contains(_text.anchored(_KR_GROUPING)).fill_null(False),
    )
    frame = _elsewhere(frame.with_row_index("_row"))
    home = pl.col("cn") | pl.col("kr")
    abroad = pl.any_horizontal([pl.col(f"abroad_{r}") for r in ABROAD]).fill_null(False)
    jp = pl.col("jp").fill_null(False) & ~pl.col("decimal")
    other = pl.col("other").fill_null(False) & ~pl.col("padded")
    valid = (pl.col("valid") & (home | ~pl.col("padded")).fill_null(True)) | other | jp | abroad
    return frame.with_columns(valid=valid, jp=jp, abroad=abroad)


_ELSEWHERE = ("other", "jp", *(f"abroad_{r}" for r in ABROAD))


def _elsewhere(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with ``other`` (another country's number after + or 00), ``jp`` and ``abroad_XX``,
    computed on the rows the home checks left invalid, and on Korean numbers not written the Korean way
    (another country's, when valid there), False elsewhere."""
    korean_elsewhere = pl.col("kr").fill_null(False) & ~pl.col("kr_grouped")
    todo = frame.filter(
        (~pl.col("valid") | korean_elsewhere) & ~pl.col("decimal") & pl.col("number").is_not_null()
    )
    if todo.height == 0:
        return frame.with_columns(pl.lit(False).alias(c) for c in _ELSEWHERE)
    number, written = pl.col("number"), pl.col("written")
    intl = number.str.starts_with("+") | number.str.starts_with("00")
    grouped = ~written.str.contains(_BARE_RE) & ~intl
    checked = todo.select(
        "_row",
        other=intl & number.str.contains(_OTHER_RE),
        jp=number.str.contains(_JP_RE) & written.str.contains(_text.anchored(_JP_GROUPING)),
        **{f"abroad_{r}": grouped & number.str.contains(_ABROAD_RE[r]) for r in ABROAD if r != "US"},
        abroad_US=grouped
        & number.str.contains(_ABROAD_RE["US"])
        & written.str.contains(_text.anchored(_NANP_GROUPING)),
    )
    joined = frame.join(checked, on="_row", how="left", maintain_order="left")
    return joined.with_columns(pl.col(c).fill_null(False) for c in _ELSEWHERE)


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: whether each value is a valid phone number (see the module docstring for the differences
    from :func:`is_valid`); null for null."""
    return _text.staged(col, _checks, _text.with_nulls(pl.col(_text.VALUE), pl.col("valid")), pl.Boolean())


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: 1.0 for Chinese and Korean numbers, 0.8 for other international numbers (shape checked
    only), 0.3 for a Korean mobile without its trunk 0, 0.0 otherwise."""
    home = pl.col("cn") | pl.col("kr")
    # A Korean mobile without its 0 (1012345678) is a phone only if the header says so: alone, ten digits
    # starting 10 are as likely an order number.
    strength = (
        pl.when(pl.col("trunkless"))
        .then(0.3)
        .when(home | pl.col("jp"))
        .then(1.0)
        .when(pl.col("abroad"))
        .then(0.6)
        .otherwise(0.8)
    )
    score = pl.when(pl.col("valid")).then(strength)
    return _text.staged(col, _checks, _text.score_with_nulls(pl.col(_text.VALUE), score), pl.Float64())


def _calling_code_regions() -> tuple[dict[str, str], ...]:
    by_length: tuple[dict[str, str], ...] = ({}, {}, {})
    for code, regions in COUNTRY_CODE_TO_REGION_CODE.items():
        if regions and regions[0] != "001":
            by_length[len(str(code)) - 1][str(code)] = regions[0]
    return by_length


_CODE_REGIONS = _calling_code_regions()


def _region_of() -> pl.Expr:
    """Over a :func:`_checks` frame: the ISO 3166 country of every valid number, null for invalid ones."""
    digits = pl.col("number").str.strip_prefix("+").str.strip_prefix("00")
    by_code = pl.coalesce(
        [
            digits.str.slice(0, n + 1).replace_strict(table, default=None, return_dtype=pl.String)
            for n, table in enumerate(_CODE_REGIONS)
        ]
    )
    kr_grouped = pl.col("kr_grouped")
    return (
        pl.when(~pl.col("valid"))
        .then(pl.lit(None, dtype=pl.String))
        .when(kr_grouped & pl.col("kr"))
        .then(pl.lit("KR"))
        .when(pl.col("cn"))
        .then(pl.lit("CN"))
        .when(pl.col("jp"))
        .then(pl.lit("JP"))
        .when(pl.col("abroad"))
        .then(_text.first_of([(pl.col(f"abroad_{r}"), pl.lit(r)) for r in ABROAD]))
        .when(pl.col("kr"))
        .then(pl.lit("KR"))
        .otherwise(by_code)
    )


def region_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the ISO 3166 country of every valid number (CN before KR; other countries by calling
    code), null for invalid ones."""
    return _text.staged(col, _checks, _region_of(), pl.String())


def _region_codes() -> dict[str, str]:
    """Each region's calling code (phonenumbers' table, read the other way)."""
    return {
        region: str(code)
        for code, regions in COUNTRY_CODE_TO_REGION_CODE.items()
        for region in regions
        if region != "001"
    }


_REGION_CODES = _region_codes()
_KEEP_TRUNK_ZERO = ("IT", "SM", "VA")  # Italian-plan numbers keep their leading 0 after the country code


def _e164(frame: pl.DataFrame) -> pl.DataFrame:
    number = pl.col("number")
    frame = frame.with_columns(region=_region_of())
    code = pl.col("region").replace_strict(_REGION_CODES, default=None, return_dtype=pl.String)
    intl = number.str.starts_with("+") | number.str.starts_with("00")
    digits = number.str.strip_prefix("+").str.strip_prefix("00")
    # A number written at home: its national significant number is what follows the trunk 0 (kept by
    # Italian-plan numbers), behind its country's code; a Chinese or Korean mobile may also be written
    # with 86/82 and no +. A number written with + or 00 keeps its digits.
    with_code = intl | ((~intl) & number.str.starts_with(code) & pl.col("region").is_in(["CN", "KR"]))
    national = pl.when(with_code).then(digits.str.slice(code.str.len_chars())).otherwise(number)
    keep_zero = pl.col("region").is_in(list(_KEEP_TRUNK_ZERO))
    national = pl.when(keep_zero).then(national).otherwise(national.str.strip_prefix("0"))
    return frame.with_columns(
        e164=pl.when(pl.col("region").is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(code.is_not_null())
        .then(pl.lit("+") + code + national)
        .otherwise(pl.lit("+") + digits)
    )


def e164_expr(col: pl.Expr) -> pl.Expr:
    """Polars: every valid number in E.164 form (``+8613812345678``), null for invalid ones.

    The country is :func:`region_expr`'s (a number valid in both China and Korea is Chinese unless written
    in the Korean mobile grouping), so it agrees with ``phonenumbers``' E.164 of the number parsed in that
    country (``tests/detect/test_phone.py``); other countries' numbers are written with their code
    already and keep their digits.
    """
    return _text.staged(col, lambda s: _e164(_checks(s)), pl.col("e164"), pl.String())
