"""Which text encoding a file is in, and its text decoded chunk by chunk.

Detection is deterministic and looks at a bounded sample (the first MiB plus a few blocks spread over the
rest of the file, so an ASCII head does not hide GBK further down):

1. a byte-order mark: UTF-8, UTF-16 or UTF-32;
2. UTF-16 without a mark (every other byte NUL);
3. NUL bytes anywhere else: binary data, not a text table (a PNG or a zip renamed ``.csv``);
4. a strict UTF-8 decode of the sample;
5. GB18030 (a superset of GBK and GB2312) against CP949 (a superset of EUC-KR): Korean bytes also decode as
   GB18030 (into strings of rare Han characters) and most short Chinese strings decode as CP949 (into rare
   Hangul syllables mixed with Hanja). Each reading is scored by the share of its CJK characters that
   are among the most common Hangul syllables (CP949) or Chinese characters (GB18030); the more
   plausible reading wins if a quarter or more of its characters are common;
6. steps 4 and 5 again allowing one bad byte in a thousand (the file is then read in that encoding and the
   bad byte reported with its offset, rather than the whole file being misread in another encoding);
7. charset-normalizer, when it recognises a language in another encoding (Shift_JIS, Big5, Windows-125x);
8. step 5 without the quarter, for short files of rare characters; then charset-normalizer's best guess.

Error messages name the file and a byte offset, never the bytes themselves.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from ringfence.errors import InputError

HEAD_BYTES = 1 << 20
BLOCK_BYTES = 64 << 10
SPREAD_BLOCKS = 8
CHUNK_BYTES = 8 << 20

UTF8_FAMILY = frozenset({"utf-8", "utf-8-sig", "ascii"})

_STRAY_BYTES = 0.001
_MIN_PLAUSIBILITY = 0.25
_CJK_FAMILY = frozenset({"gb18030", "gbk", "gb2312", "hz", "euc_kr", "cp949", "johab", "iso2022_kr"})
_CJK = re.compile("[\uac00-\ud7a3\u4e00-\u9fff\uf900-\ufaff]")
# Frequent Hangul syllables of Korean prose, names and addresses.
_COMMON_HANGUL = frozenset(
    "이다는의에하고을가지기로서한사리어대아도수시인정구일주전부상장보자게나만해그들제여스원성우적과동요있"
    "세라국를내마경소신치유위무화관문생결비중공연방민트면개각거했미당조야것으니물용실데분러금려발계회통간"
    "식본었되안까명진단없반오호드산선학영모현행교법음두체히르심날말임노차터곳손강김박최윤준훈울특별광역남"
    "북길번층파읍군충청라종운송양천평택포항창빌딩피텔권황류홍배백허곽은혜희재철석태용규빈예채율건승환혁찬"
    "범형중숙순옥선화센터점앞뒤월년요일시분초번호카드계좌은행주소전화이름성명고객금액메모비고"
)
# Frequent Chinese characters of prose, names and addresses.
_COMMON_HANZI = frozenset(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后"
    "小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知"
    "民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新"
    "什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别"
    "处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受"
    "光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃"
    "义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必"
    "城父强步完革深区准片省县镇乡村街号楼室单栋层园厦广沪津渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕"
    "甘宁港澳圳杭州汉都安沙郑济岛厦福肥昆沈阳连哈尔滨春石庄原呼浩特银乌齐李赵刘陈杨黄吴徐孙胡朱郭罗梁宋郑"
    "谢韩唐冯董萧程曹袁邓傅曾彭吕卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田姜范姚谭廖邹熊陆郝孔崔康邱秦顾侯邵孟龙段"
    "雷钱汤尹黎易乔贺赖龚伟芳娜敏静丽磊洋勇艳杰娟涛超秀霞刚英玉兰梅燕飞鹏辉斌宇凯健俊帆婷雪琳晶欣怡佳颖客"
    "户姓址额备注订账卡银行款付支收"
)


def read_sample(path: Path) -> list[bytes]:
    """The head of the file and up to eight blocks spread evenly over the rest, the last one at its end.

    The head is returned as read (it may end inside a character); each later block starts after its first
    newline and ends at its last one, so it holds whole lines (newline bytes never occur inside a
    GB18030, CP949 or UTF-8 multi-byte character).
    """
    size = path.stat().st_size
    segments: list[bytes] = []
    with open(path, "rb") as fh:
        segments.append(fh.read(HEAD_BYTES))
        rest = size - HEAD_BYTES
        if rest > BLOCK_BYTES:
            step = (rest - BLOCK_BYTES) / (SPREAD_BLOCKS - 1)
            for i in range(SPREAD_BLOCKS):
                fh.seek(HEAD_BYTES + round(i * step))
                block = fh.read(BLOCK_BYTES)
                start = block.find(b"\n") + 1
                end = block.rfind(b"\n") + 1
                if 0 < start < end:
                    segments.append(block[start:end])
    return segments


def _decode(segments: list[bytes], encoding: str, *, tolerance: float = 0.0) -> str | None:
    """The segments decoded with ``encoding``, or None when they are not valid in it.

    ``tolerance`` is the share of characters that may be undecodable: a file in one encoding with a stray
    bad byte is still recognised, and the bad byte is reported with its offset when the file is read. A
    segment may end inside a multi-byte character (the head was cut at a fixed size); that unfinished tail
    is not counted.
    """
    parts = []
    for segment in segments:
        decoder = codecs.getincrementaldecoder(encoding)("replace" if tolerance else "strict")
        try:
            parts.append(decoder.decode(segment, final=False))
        except UnicodeDecodeError:
            return None
    text = "\n".join(parts)
    if tolerance and text.count("\ufffd") > tolerance * len(text):
        return None
    return text


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the head reads as BOM-less UTF-16 text, else None.

    In UTF-16 every ASCII character (delimiters, digits, line breaks) has a NUL high byte, so a CSV in
    UTF-16 has NUL bytes at one parity (at least a fifth of the code units) and almost none at the other
    (a few CJK characters such as U+4E00 have a NUL low byte). A binary file or a NUL stuck in a text file
    has neither pattern.
    """
    units = len(head) // 2
    if units < 2:
        return None
    even_nuls = head[0 : 2 * units : 2].count(0)
    odd_nuls = head[1 : 2 * units : 2].count(0)
    if min(even_nuls, odd_nuls) > 0.02 * units or max(even_nuls, odd_nuls) < 0.2 * units:
        return None
    encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
    text = _decode([head[: 2 * units]], encoding)
    return encoding if text is not None and "\x00" not in text else None


def _plausibility(text: str, common: frozenset[str]) -> float:
    """The share of the CJK characters (Hangul and Han) of ``text`` that are in ``common``."""
    cjk = _CJK.findall(text)
    return sum(char in common for char in cjk) / len(cjk) if cjk else 0.0


def _chinese_or_korean(
    segments: list[bytes], *, tolerance: float = 0.0, min_plausibility: float = 0.0
) -> str | None:
    """``gb18030`` or ``cp949`` for a sample in one of them, None when it is in neither.

    The more plausible reading wins; it is returned only if at least ``min_plausibility`` of its CJK
    characters are common ones (a stray Latin-1 byte in an ASCII file also decodes as GB18030, into one
    rare Han character).
    """
    readings = []
    for encoding, common in (("cp949", _COMMON_HANGUL), ("gb18030", _COMMON_HANZI)):
        text = _decode(segments, encoding, tolerance=tolerance)
        if text is not None:
            readings.append((_plausibility(text, common), encoding))
    if not readings:
        return None
    score, encoding = max(readings)
    return encoding if score >= min_plausibility else None


def detect_encoding(path: Path, display: str) -> str:
    """The Python codec name of the text file at ``path`` (``utf-8``, ``utf-8-sig``, ``gb18030``...).

    Raises :class:`InputError` naming ``display`` when the file holds NUL bytes (binary data) or text in
    no encoding that can be told apart with confidence.
    """
    segments = read_sample(path)
    head = segments[0]
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return utf16
    if any(b"\x00" in segment for segment in segments):
        raise InputError(f"{display}: holds NUL bytes, so it is binary data, not a text table")
    if _decode(segments, "utf-8") is not None:
        return "utf-8"
    for tolerance in (0.0, _STRAY_BYTES):
        if tolerance and _decode(segments, "utf-8", tolerance=tolerance) is not None:
            return "utf-8"
        cjk = _chinese_or_korean(segments, tolerance=tolerance, min_plausibility=_MIN_PLAUSIBILITY)
        if cjk is not None:
            return cjk
    from charset_normalizer import from_bytes

    best = from_bytes(b"\n".join(segments)).best()
    guess = codecs.lookup(best.encoding).name if best is not None else None
    if best is not None and guess not in _CJK_FAMILY and best.coherence > 0:
        return str(guess)
    cjk = _chinese_or_korean(segments)
    if cjk is not None:
        return cjk
    if guess is None:
        raise InputError(
            f"{display}: cannot tell its text encoding (it is not UTF-8, GB18030/GBK or EUC-KR/CP949); "
            "save it as UTF-8"
        )
    return guess


def iter_decoded(path: Path, encoding: str, display: str, chunk_bytes: int = CHUNK_BYTES) -> Iterator[str]:
    """The text of the file, decoded strictly with ``encoding``, in pieces of about ``chunk_bytes`` bytes.

    A byte-order mark is dropped. Memory stays bounded by the chunk size whatever the file size. Raises
    :class:`InputError` with the offset (to within a few bytes) of the first byte not valid in ``encoding``.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with open(path, "rb") as fh:
        while True:
            raw = fh.read(chunk_bytes)
            try:
                text = decoder.decode(raw, final=not raw)
            except UnicodeDecodeError as exc:
                where = offset + max(exc.start, 0)
                raise InputError(
                    f"{display}: the bytes near offset {where} are not valid {encoding}; save it as UTF-8"
                ) from None
            if text:
                yield text
            if not raw:
                return
            offset += len(raw)
