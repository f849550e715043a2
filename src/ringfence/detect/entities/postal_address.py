"""Postal address (Chinese, Korean or Latin-script street address).

Addresses have no fixed format, so this module counts the markers of one and :func:`score_expr` grades:

- Chinese: administrative and street markers (省 自治区 市 区 县 旗 镇 乡 街道 村 路 街 大道 巷 弄 胡同 号
  栋 幢 座 单元 楼 层 室 小区 花园 大厦 公寓), counted where they occur: 0.95 with four or more, 0.9 with
  three and a digit, 0.8 with three, 0.75 with two and a digit, 0.5 with two (``上海市浦东新区``);
- Korean: words ending in a marker (특별시 광역시 특별자치시 특별자치도 시 도 구 군 읍 면 동 리 로 길 가)
  and house numbers (``123``, ``45-6``, ``12번지``, ``101동``, ``1203호``): 0.95 with three marker words
  and a number, 0.8 with two and a number, 0.7 with three and none;
- Latin script (UK, US, German, French, Italian, Spanish...): a house number, one to four capitalised
  words and a street type (``St``, ``Road``, ``Ave``...), optionally followed by a comma and more: 0.8;
  and addresses written in parts (separated by commas or line breaks, as exports and JSON hold them):
  0.9 with a street word of one of those languages (``rue``, ``via``, ``calle``, ``-straße``, ``-gasse``,
  ``-weg``...) and a house number; 0.8 with a postcode and a number; 0.7 for a street word and a number
  in one part.

No maintained detector of Western addresses fits here: ``usaddress`` (a CRF, US only) and ``pyap2``
(regular expressions, US/CA/UK) parse one value at a time in Python, which ``--full`` cannot afford
over millions of cells, and neither reads German, French or Italian addresses; libpostal and deepparse
need models downloaded at run time. So these are rules, as Polars regular expressions. The postcode
formats are those of Google's address metadata (libaddressinput, the ``zip`` pattern of each country):
UK ``A9 9AA``-style outward and inward codes, US ZIP and ZIP+4 after a state, five digits (DE, FR, IT,
ES, US), four digits (AT, AU, BE, CH, DK, NL without letters, AR), Dutch ``1234 AB``, Canadian
``A1A 1A1``, Japanese ``123-4567`` and Argentine ``A1234ABC``.

A value is valid when its score is at least 0.5. Values longer than 200 characters are free text, not an
address (the classifier searches those for entities separately).

>>> validate('北京市朝阳区建国路88号'), score('上海市浦东新区'), score('서울특별시 강남구 테헤란로 123')
('北京市朝阳区建国路88号', 0.5, 0.95)
>>> score('1600 Amphitheatre Parkway, Mountain View'), score('221B Baker Street, London'), is_valid('市场部')
(0.9, 0.9, False)
>>> score('Lübsgasse 396, 47841 Bersenbrück'), score('1 Alexander Walks, Francescaberg, E4 8RA')
(0.9, 0.8)
>>> score('Johnson, Smith and Lee 2024'), score('Order 12345 shipped')
(0.0, 0.0)
"""

from __future__ import annotations

import re

import polars as pl

from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "POSTAL_ADDRESS",
    label="Postal address",
    kind="direct",
    category="contact",
    hints=Hints(
        en=("address", "addr", "street"),
        zh=("地址", "住址", "收货地址"),
        ko=("주소", "거주지"),
        ja=("住所", "所在地"),
        eu=("anschrift", "adresse", "indirizzo", "dirección", "direccion", "domicilio"),
    ),
    detection=Detection(
        "weak",
        bar=0.6,
        gate=r"[省市区县镇乡村路街巷号栋室楼시도구군읍면로길동번지호]|\d[\s,]+[A-Za-z]|[A-Za-z][\s,]+\d",
        precedence=120,
    ),
    draft=Draft(
        "generalize",
        {"address": "city"},
        "city level (CN/KR addresses); an address that cannot be read is emptied, never passed on",
    ),
)
ENTITY = SPEC.entity

CN_MARKERS = (
    "自治区|街道|大道|胡同|单元|小区|花园|大厦|公寓|省|市|区|县|旗|镇|乡|村|路|街|巷|弄|号|栋|幢|座|楼|层|室"
)
KR_MARKER_WORD = (
    "[가-힣0-9]+(?:특별시|광역시|특별자치시|특별자치도|시|도|구|군|읍|면|동|리|로|길|가)(?: |,|$)"
)
KR_NUMBER = "(?:^| )[0-9]+(?:-[0-9]+)?(?:번지|번길|동|호|층)?(?: |,|$)"
_STREET = (
    "St|Street|Rd|Road|Ave|Avenue|Blvd|Boulevard|Ln|Lane|Dr|Drive|Way|Ct|Court|Pl|Place|Sq|Square"
    "|Ter|Terrace|Hwy|Highway|Pkwy|Parkway|Cres|Crescent"
)
LATIN = f"[0-9]{{1,6}}[A-Za-z]?,? (?:[A-Z][a-z]+ ){{1,4}}(?:{_STREET})\\.?(?:,.*)?"
# Street words of English, French, Italian, Spanish and German addresses (German ones end compounds).
STREET_WORD = (
    r"(?i:\b(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|court|ct|place|square|sq|terrace|boulevard"
    r"|blvd|highway|hwy|parkway|pkwy|crescent|close|mews|gardens|rue|chemin|allée|impasse|quai|route"
    r"|via|viale|piazza|corso|vicolo|largo|calle|avenida|av|pasaje|diag|camino|rua)\b"
    r"|(?:straße|strasse|str\.|weg|gasse|allee|platz|damm|ufer)\b)"
)
# Postcodes that hold letters (UK, US ZIP after a state, NL, CA, AR) or a hyphen (JP) say more than the
# all-digit ones (DE, FR, IT, ES, AT, CH...), which a house number or a year can imitate.
POSTCODE = (
    r"\b(?:[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}|[A-Z]{2} [0-9]{5}(?:-[0-9]{4})?|[0-9]{4} ?[A-Z]{2}"
    r"|[A-Z][0-9][A-Z] [0-9][A-Z][0-9]|[0-9]{3}-[0-9]{4}|[A-Z][0-9]{4}[A-Z]{3})\b"
)
DIGIT_POSTCODE = r"\b[0-9]{4,5}\b"
HOUSE_NUMBER = r"\b[0-9]{1,5}[A-Za-z]?\b"
LATIN_WORDS = r"[A-Za-zÀ-ÿ]{3,}[^A-Za-zÀ-ÿ]+[A-Za-zÀ-ÿ]{3,}"
PARTS = "[,\n]"
HAN = "[一-鿿]"
MAX_LEN = 200
THRESHOLD = 0.5
_cn = re.compile(CN_MARKERS)
_kr_word = re.compile(KR_MARKER_WORD)
_kr_number = re.compile(KR_NUMBER)
_latin = _text.fullmatcher(LATIN)
_street_word = re.compile(STREET_WORD).search
_postcode = re.compile(POSTCODE).search
_digit_postcode = re.compile(DIGIT_POSTCODE).search
_house_number = re.compile(HOUSE_NUMBER)
_latin_words = re.compile(LATIN_WORDS).search
_parts = re.compile(PARTS).search
# JSON and key=value text hold commas and numbers too; it is searched as structured text, not an address.
STRUCTURED = r"^[\[{]|[\"=]"
_structured = re.compile(STRUCTURED).search
_SPACES = re.compile(" {2,}")


def compact(value: str) -> str:
    """The address NFKC-normalised and trimmed, with runs of spaces as one."""
    return _SPACES.sub(" ", _text.strip(_text.nfkc(value)))


def _cn_score(markers: int, digit: bool) -> float:
    if markers >= 4:
        return 0.95
    if markers == 3:
        return 0.9 if digit else 0.8
    if markers == 2:
        return 0.75 if digit else 0.5
    return 0.0


def _kr_score(words: int, numbers: int) -> float:
    if words >= 3 and numbers:
        return 0.95
    if words >= 2 and numbers:
        return 0.8
    return 0.7 if words >= 3 else 0.0


def _latin_parts_score(
    street: bool, postcode: bool, digit_postcode: bool, numbers: int, parts: bool
) -> float:
    if street and numbers and parts:
        return 0.9
    # an all-digit postcode counts among the numbers, so it needs a house number beside it
    if parts and ((postcode and numbers) or (digit_postcode and numbers >= 2)):
        return 0.8
    return 0.7 if street and numbers else 0.0


def _score(value: str) -> float:
    text = compact(value)
    if len(text) > MAX_LEN:
        return 0.0
    best = 0.0
    if re.search(HAN, text) and len(text) >= 6:
        best = _cn_score(len(_cn.findall(text)), bool(re.search("[0-9]", text)))
    if re.search("[가-힣]", text):
        best = max(best, _kr_score(len(_kr_word.findall(text)), len(_kr_number.findall(text))))
    if _latin(text):
        best = max(best, 0.8)
    if _latin_words(text) and not re.search(f"{HAN}|[가-힣]", text) and not _structured(text):
        parts = _latin_parts_score(
            bool(_street_word(text)),
            bool(_postcode(text)),
            bool(_digit_postcode(text)),
            len(_house_number.findall(text)),
            bool(_parts(text)),
        )
        best = max(best, parts)
    return best


def score(value: object) -> float:
    """The confidence :func:`score_expr` gives ``value`` (0.0 for non-strings)."""
    return _score(value) if isinstance(value, str) and len(value) <= 1000 else 0.0


def validate(value: str) -> str:
    """The compact address, or raises: too long, or too few markers of an address."""
    text = compact(value)
    if len(text) > MAX_LEN:
        raise InvalidLength(f"{ENTITY}: longer than an address")
    if _score(text) < THRESHOLD:
        raise InvalidFormat(f"{ENTITY}: too few markers of a Chinese, Korean or street address")
    return text


def is_valid(value: object) -> bool:
    """Whether ``value`` looks like a postal address (never raises)."""
    return is_valid_by(validate, value)


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    return _text.strip_expr(_text.nfkc_expr(_text.as_text(col))).str.replace_all(" {2,}", " ")


def _scores(series: pl.Series) -> pl.DataFrame:
    """Staged: ``score``, the confidence described in the module docstring (0.0 for no address).

    Each script's markers are counted only on the values written in that script.
    """
    value = pl.col(_text.VALUE)
    frame = _text.value_frame(series).with_columns(text=_text.strip_expr(_text.nfkc_expr(value)))
    frame = _text.staged_single_spaces(frame, "text")  # = compact_expr
    text = pl.col("text")
    length = text.str.len_chars()
    frame = frame.with_columns(
        short=length <= MAX_LEN,
        cn_applies=text.str.contains(HAN) & (length >= 6),
        kr_applies=text.str.contains("[가-힣]"),
        digit=text.str.contains("[0-9]"),
        latin_applies=text.str.contains("^[0-9]"),
        words_applies=text.str.contains(LATIN_WORDS)
        & ~text.str.contains(f"{HAN}|[가-힣]")
        & ~text.str.contains(STRUCTURED),
    )
    frame = frame.with_columns(
        markers=pl.when(pl.col("cn_applies")).then(text.str.count_matches(CN_MARKERS)),
        words=pl.when(pl.col("kr_applies")).then(text.str.count_matches(KR_MARKER_WORD)),
        latin=pl.when(pl.col("latin_applies")).then(text.str.contains(_text.anchored(LATIN))),
    )
    # Addresses written in parts are checked only in batches that hold Latin-script words (Polars would
    # run the five regexes over a whole column of Chinese addresses to throw the results away).
    part_checks = ("street", "postcode", "digit_postcode", "parts")
    if frame.select(pl.col("words_applies").any()).item():
        applies = pl.col("words_applies")
        frame = frame.with_columns(
            street=pl.when(applies).then(text.str.contains(STREET_WORD)),
            postcode=pl.when(applies).then(text.str.contains(POSTCODE)),
            digit_postcode=pl.when(applies).then(text.str.contains(DIGIT_POSTCODE)),
            house=pl.when(applies).then(text.str.count_matches(HOUSE_NUMBER)),
            parts=pl.when(applies).then(text.str.contains(PARTS)),
        )
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Boolean).alias(c) for c in part_checks)
        frame = frame.with_columns(house=pl.lit(None, dtype=pl.UInt32))
    # House numbers matter only beside two or more marker words.
    frame = frame.with_columns(
        numbers=pl.when(pl.col("words") >= 2).then(text.str.count_matches(KR_NUMBER)).otherwise(0)
    )
    markers, digit, words, numbers = pl.col("markers"), pl.col("digit"), pl.col("words"), pl.col("numbers")
    cn = _text.first_of(
        [
            (markers >= 4, pl.lit(0.95)),
            ((markers == 3) & digit, pl.lit(0.9)),
            (markers == 3, pl.lit(0.8)),
            ((markers == 2) & digit, pl.lit(0.75)),
            (markers == 2, pl.lit(0.5)),
        ]
    )
    kr = _text.first_of(
        [
            ((words >= 3) & (numbers > 0), pl.lit(0.95)),
            ((words >= 2) & (numbers > 0), pl.lit(0.8)),
            (words >= 3, pl.lit(0.7)),
        ]
    )
    latin = pl.col("latin").cast(pl.Float64) * 0.8
    street, postcode, digit_postcode, parts = (
        pl.col(c).fill_null(False) for c in ("street", "postcode", "digit_postcode", "parts")
    )
    house = pl.col("house").fill_null(0) > 0
    houses = pl.col("house").fill_null(0) >= 2
    in_parts = _text.first_of(
        [
            (street & house & parts, pl.lit(0.9)),
            (parts & ((postcode & house) | (digit_postcode & houses)), pl.lit(0.8)),
            (street & house, pl.lit(0.7)),
        ]
    )
    best = pl.max_horizontal(
        cn.fill_null(0.0), kr.fill_null(0.0), latin.fill_null(0.0), in_parts.fill_null(0.0)
    )
    return frame.with_columns(score=best * pl.col("short").cast(pl.Float64))


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the confidence described in the module docstring (0.0 for no address)."""
    out = _text.score_with_nulls(pl.col(_text.VALUE), pl.col("score"))
    return _text.staged(col, _scores, out, pl.Float64())


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    out = _text.with_nulls(pl.col(_text.VALUE), pl.col("score") >= THRESHOLD)
    return _text.staged(col, _scores, out, pl.Boolean())
