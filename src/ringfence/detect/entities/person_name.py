"""Person name (Chinese, Korean, Japanese or Latin-script).

Names have no checksum; this module tests their shape, and :func:`score_expr` says how typical it is:

- Chinese: a surname from ``data/cn_surnames.txt`` (about 340 single-character ones by frequency and 32
  compound ones such as 欧阳, 司马, 诸葛) followed by one or two Han characters: 0.95 when the surname is
  among the 100 most frequent or compound, 0.8 otherwise. Transliterated names joined by a middle dot
  (``阿卜杜拉·买买提``): 0.8.
- Korean: a surname from ``data/kr_surnames.txt`` (including 남궁, 제갈, 선우, 황보) followed by one or two
  Hangul syllables: 0.95.
- Japanese: family and given name in kanji with a space between (``木村 陽一``): 0.6; their reading in
  katakana or hiragana (``コバヤシ アケミ``): 0.7.
- Latin script: two to four capitalised (or all-capital) words, optionally with a middle initial
  (``John F. Kennedy``, ``ZHANG WEI``, ``Mary-Jane O'Neil``): 0.9 when a word is a known romanised
  Chinese or Korean surname or a common given name (``data/latin_name_tokens.txt``), 0.6 otherwise
  (``New York`` has the shape of a name too).

:func:`compact` applies NFKC, trims, collapses runs of spaces and removes spaces between CJK characters
(``王 小明`` is written with a space in some forms).

>>> validate('王 小明'), validate('欧阳娜娜'), validate('김민준'), validate('Kim  Min-jun')
('王小明', '欧阳娜娜', '김민준', 'Kim Min-jun')
>>> is_valid('王'), is_valid('北京市朝阳区'), is_valid('john smith')
(False, False, False)
"""

from __future__ import annotations

import re

import polars as pl

from ringfence.detect.entities import _text
from ringfence.detect.entities._face import is_valid_by
from ringfence.detect.spec import Detection, Draft, EntitySpec, Hints
from ringfence.errors import InvalidFormat, InvalidLength

SPEC = EntitySpec(
    "PERSON_NAME",
    label="Person name",
    kind="direct",
    category="identity",
    hints=Hints(
        en=("name", "fullname", "firstname", "lastname", "surname", "holder", "payee", "payer"),
        zh=("姓名", "名字", "户名", "收款人", "付款人", "持卡人"),
        ko=("이름", "성명", "예금주", "고객명"),
        ja=("氏名", "フリガナ", "ふりがな", "名前"),
        eu=("nom", "nombre", "titular", "nome", "cognome", "prénom", "prenom", "apellido"),
    ),
    detection=Detection("weak", bar=0.7, gate=r"^[^\d@/\\:;=<>#%&*+|]{2,60}$", precedence=130),
    draft=Draft("drop", why="names are direct identifiers and rarely needed by a recipient"),
    mask=(1, 0),
)
ENTITY = SPEC.entity

HAN = "[一-鿿㐀-䶿]"
HANGUL = "[가-힣]"
_cn = _text.data_lines("cn_surnames.txt")
CN_SURNAMES = tuple(_cn)
CN_COMMON = tuple(_cn[:100]) + tuple(s for s in _cn if len(s) == 2)  # compound surnames are telling too
KR_SURNAMES = tuple(_text.data_lines("kr_surnames.txt"))
LATIN_TOKENS = tuple(_text.data_lines("latin_name_tokens.txt"))


def _alternation(words: tuple[str, ...]) -> str:
    # Longest first, so a compound surname is tried before its first character.
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


CN_NAME = f"{_alternation(CN_SURNAMES)}{HAN}{{1,2}}"
CN_COMMON_NAME = f"{_alternation(CN_COMMON)}{HAN}{{1,2}}"
CN_DOTTED = f"{HAN}{{1,8}}[·•・]{HAN}{{1,10}}"
KR_NAME = f"{_alternation(KR_SURNAMES)}{HANGUL}{{1,2}}"
_UPPER, _LOWER = "[A-ZÀ-ÖØ-Þ]", "[a-zß-öø-ÿ]"
_WORD = (
    f"{_UPPER}(?:{_LOWER}+(?:{_UPPER}{_LOWER}+)?|'{_UPPER}{_LOWER}+)(?:-{_UPPER}?{_LOWER}+)*"
    f"|{_UPPER}{{2,}}(?:[-']{_UPPER}+)*"
)
LATIN_NAME = f"(?:{_WORD})(?: (?:{_UPPER}\\. )?(?:{_WORD})){{1,3}}"
_KNOWN = _alternation(tuple(w for t in LATIN_TOKENS for w in (t, t.upper())))
LATIN_KNOWN = f"(?:^| ){_KNOWN}(?:[ -]|$)"
# Japanese names are written family name, space, given name (木村 陽一), with their reading in katakana or
# hiragana (コバヤシ アケミ): the space tells them from Chinese names, so they are read before it is removed.
JP_KANJI = "[一-鿿々]{1,4} [一-鿿々]{1,4}"
JP_KANA = "[ァ-ヺー]{1,10} [ァ-ヺー]{1,10}|[ぁ-ゖー]{1,10} [ぁ-ゖー]{1,10}"
MAX_LEN = 60
_SHAPES = {"cn": CN_NAME, "dotted": CN_DOTTED, "kr": KR_NAME, "latin": LATIN_NAME}
_match = {k: _text.fullmatcher(p) for k, p in _SHAPES.items()}
_cn_common = _text.fullmatcher(CN_COMMON_NAME)
_latin_known = re.compile(LATIN_KNOWN).search
_SPACES = re.compile(" {2,}")
_jp_kanji = _text.fullmatcher(JP_KANJI)
_jp_kana = _text.fullmatcher(JP_KANA)
_CJK_SPACE = re.compile(f"(?<={HAN}) (?={HAN})")


def compact(value: str) -> str:
    """The name NFKC-normalised and trimmed, with single spaces, and none between CJK characters."""
    text = _SPACES.sub(" ", _text.strip(_text.nfkc(value)))
    return text if re.search("[A-Za-z]", text) else text.replace(" ", "")


def _score(value: str) -> float:
    name = compact(value)
    if len(name) > MAX_LEN:
        return 0.0
    spaced = _SPACES.sub(" ", _text.strip(_text.nfkc(value)))
    japanese = 0.7 if _jp_kana(spaced) else 0.6 if _jp_kanji(spaced) else 0.0
    if _match["cn"](name):
        return max(japanese, 0.95 if _cn_common(name) else 0.8)
    if _match["kr"](name):
        return 0.95
    if _match["dotted"](name):
        return 0.8
    if _match["latin"](name):
        return 0.9 if _latin_known(name) else 0.6
    return japanese


def validate(value: str) -> str:
    """The compact name, or raises: too long, or not the shape of a name."""
    name = compact(value)
    if len(name) > MAX_LEN:
        raise InvalidLength(f"{ENTITY}: longer than a name")
    if _score(value) == 0.0:
        raise InvalidFormat(f"{ENTITY}: not the shape of a Chinese, Korean or Latin-script name")
    return name


def is_valid(value: object) -> bool:
    """Whether ``value`` has the shape of a person's name (never raises)."""
    return is_valid_by(validate, value)


def score(value: object) -> float:
    """The confidence :func:`score_expr` gives ``value`` (0.0 for non-strings)."""
    return _score(value) if isinstance(value, str) and len(value) <= 1000 else 0.0


# ------------------------------------------------------------------------------------------- columns


def compact_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`compact` of every value."""
    text = _text.strip_expr(_text.nfkc_expr(_text.as_text(col))).str.replace_all(" {2,}", " ")
    latin = text.str.contains("[A-Za-z]")
    return pl.when(latin).then(text).otherwise(text.str.replace_all(" ", "", literal=True))


def _scores(series: pl.Series) -> pl.DataFrame:
    """Staged: ``score``, the confidence described in the module docstring (0.0 where not a name).

    Each script's shapes are tried only on the values written in that script.
    """
    value = pl.col(_text.VALUE)
    frame = _text.value_frame(series).with_columns(name=_text.strip_expr(_text.nfkc_expr(value)))
    frame = _text.staged_single_spaces(frame, "name")
    name = pl.col("name")
    spaced_cjk = name.str.contains(" ", literal=True) & ~name.str.contains("[A-Za-z]")
    japanese = _text.first_of(
        [
            (spaced_cjk & name.str.contains(_text.anchored(JP_KANA)), pl.lit(0.7)),
            (spaced_cjk & name.str.contains(_text.anchored(JP_KANJI)), pl.lit(0.6)),
        ]
    )
    frame = frame.with_columns(japanese=japanese.fill_null(0.0))
    frame = frame.with_columns(
        name=pl.when(spaced_cjk).then(name.str.replace_all(" ", "", literal=True)).otherwise(name)
    )
    frame = frame.with_columns(
        short=name.str.len_chars() <= MAX_LEN,
        han=name.str.contains(HAN),
        hangul=name.str.contains(HANGUL),
        latin=name.str.contains(_UPPER),
    )
    short = pl.col("short")
    han, hangul, latin = short & pl.col("han"), short & pl.col("hangul"), short & pl.col("latin")
    frame = frame.with_columns(
        [
            pl.when(gate).then(name.str.contains(_text.anchored(_SHAPES[k]))).otherwise(False).alias(k)
            for k, gate in (("cn", han), ("dotted", han), ("kr", hangul), ("latin", latin))
        ]
    )
    frame = frame.with_columns(
        cn_common=pl.when(pl.col("cn")).then(name.str.contains(_text.anchored(CN_COMMON_NAME))),
        known=pl.when(pl.col("latin")).then(name.str.contains(LATIN_KNOWN)),
    )
    shape = {k: pl.col(k) for k in _SHAPES}
    score = _text.first_of(
        [
            (shape["cn"] & pl.col("cn_common"), pl.lit(0.95)),
            (shape["cn"], pl.lit(0.8)),
            (shape["kr"], pl.lit(0.95)),
            (shape["dotted"], pl.lit(0.8)),
            (shape["latin"] & pl.col("known"), pl.lit(0.9)),
            (shape["latin"], pl.lit(0.6)),
        ]
    )
    short = pl.col("name").str.len_chars() <= MAX_LEN
    japanese = pl.when(short).then(pl.col("japanese")).otherwise(0.0)
    return frame.with_columns(score=pl.max_horizontal(score.fill_null(0.0), japanese))


def score_expr(col: pl.Expr) -> pl.Expr:
    """Polars: the confidence described in the module docstring, 0.0 where the shape is not a name."""
    return _text.staged(
        col, _scores, _text.score_with_nulls(pl.col(_text.VALUE), pl.col("score")), pl.Float64()
    )


def valid_expr(col: pl.Expr) -> pl.Expr:
    """Polars: :func:`is_valid` of every value (null for null)."""
    out = _text.with_nulls(pl.col(_text.VALUE), pl.col("score").fill_null(0.0) > 0.0)
    return _text.staged(col, _scores, out, pl.Boolean())
