"""Contact and device data: mobile numbers in the many formats people type them, e-mail addresses on the
providers Chinese and Korean users actually use, IPv4/IPv6 addresses of CN/KR carriers, and IMEIs."""

from __future__ import annotations

import numpy as np
import polars as pl

from ringfence.synth.rand import BoolArray, IntArray, pick, take

# Mobile prefixes in service (China Mobile, Unicom, Telecom, Broadnet, MVNO 170/171) with rough shares.
CN_MOBILE_PREFIXES: tuple[tuple[int, float], ...] = (
    *((p, 3.0) for p in range(130, 140)),
    *((p, 2.5) for p in (150, 151, 152, 153, 155, 156, 157, 158, 159)),
    (166, 0.8),
    *((p, 0.6) for p in (170, 171, 173, 175, 176, 177, 178)),
    *((p, 2.5) for p in range(180, 190)),
    *((p, 0.8) for p in (191, 193, 195, 196, 197, 198, 199)),
)
# The ways a Chinese mobile number ends up in a form: 13812345678, +86 138 1234 5678, 86-138-1234-5678 ...
CN_PHONE_FORMATS: tuple[tuple[str, float], ...] = (
    ("{a}{b}{c}", 45),
    ("+86 {a} {b} {c}", 15),
    ("86-{a}-{b}-{c}", 8),
    ("{a} {b} {c}", 15),
    ("{a}-{b}-{c}", 10),
    ("+86{a}{b}{c}", 7),
)
KR_PHONE_FORMATS: tuple[tuple[str, float], ...] = (
    ("010-{b}-{c}", 55),
    ("+82 10-{b}-{c}", 15),
    ("010{b}{c}", 25),
    ("010 {b} {c}", 5),
)

CN_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("qq.com", 45),
    ("163.com", 25),
    ("126.com", 12),
    ("sina.com", 8),
    ("gmail.com", 10),
)
KR_EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("naver.com", 50),
    ("daum.net", 12),
    ("hanmail.net", 12),
    ("kakao.com", 8),
    ("gmail.com", 18),
)

# /16 networks of China Telecom, Unicom and Mobile, and of KT, SK Broadband/SKT and LG U+.
CN_IPV4_NETS = (
    "114.80",
    "114.92",
    "116.22",
    "117.136",
    "121.35",
    "180.160",
    "183.14",
    "222.73",
    "223.104",
    "112.64",
    "123.112",
    "221.218",
    "111.30",
    "120.229",
    "39.144",
    "36.110",
    "101.84",
    "58.246",
    "60.176",
    "124.64",
    "125.70",
    "218.79",
    "219.133",
    "113.87",
)
KR_IPV4_NETS = (
    "211.234",
    "175.223",
    "223.38",
    "1.234",
    "121.134",
    "59.10",
    "118.235",
    "106.101",
    "39.7",
    "211.36",
    "222.106",
    "210.94",
    "125.128",
    "112.169",
    "14.32",
    "110.70",
)
CN_IPV6_NETS = ("240e", "2408", "2409")
KR_IPV6_NETS = ("2001:2d8", "2001:e60", "2406:5900")

# Type allocation codes of phones sold in China (reporting body 86: Huawei, Xiaomi, OPPO, vivo, Honor) and of
# phones common everywhere (35: Apple, Samsung), with shares in China and in Korea.
TACS: tuple[tuple[int, float, float], ...] = (
    (86793104, 4, 0.2),
    (86442104, 3, 0.1),
    (86785303, 3, 0.1),
    (86091004, 2, 0.1),
    (86998105, 2, 0.1),
    (86769204, 4, 0.2),
    (86201905, 3, 0.1),
    (86887604, 2, 0.1),
    (86454604, 2, 0.1),
    (86403605, 3, 0.1),
    (86834704, 3, 0.1),
    (86590505, 2, 0.1),
    (86725405, 2, 0.1),
    (35391110, 3, 4),
    (35407115, 3, 4),
    (35332510, 2, 3),
    (35467611, 2, 3),
    (35328709, 1, 2),
    (35163511, 1, 6),
    (35290611, 1, 5),
    (35827310, 1, 5),
    (35469711, 1, 4),
    (35896709, 0.5, 3),
)

_HEX4 = pl.Series([format(i, "x") for i in range(65536)])
_OCTET2 = pl.Series([f"{i}.{j}" for i in range(256) for j in range(1, 255)] + ["0.1", "0.2"])


def _template_expr(template: str) -> pl.Expr:
    """A template like ``+86 {a} {b} {c}`` as a concatenation of literal text and the columns a, b, c."""
    pieces: list[pl.Expr] = []
    rest = template
    while rest:
        if rest.startswith("{"):
            pieces.append(pl.col(rest[1]))
            rest = rest[3:]
        else:
            cut = rest.find("{")
            text = rest if cut < 0 else rest[:cut]
            pieces.append(pl.lit(text))
            rest = rest[len(text) :]
    return pl.concat_str(pieces)


def _apply_formats(
    parts: pl.DataFrame, formats: tuple[tuple[str, float], ...], choice: IntArray
) -> pl.Series:
    """Fills each row's chosen template (an index into ``formats``) from the columns a, b, c of ``parts``."""
    result: pl.Expr = _template_expr(formats[0][0])
    for i, (template, _) in enumerate(formats[1:], start=1):
        result = pl.when(pl.col("fmt") == i).then(_template_expr(template)).otherwise(result)
    return parts.with_columns(pl.Series("fmt", choice)).select(result.alias("phone")).to_series()


def cn_mobiles(rng: np.random.Generator, n: int) -> pl.Series:
    """Chinese mobile numbers on real prefixes, each in one of the common written formats."""
    prefix = np.array([p for p, _ in CN_MOBILE_PREFIXES])[
        pick(rng.random(n), [w for _, w in CN_MOBILE_PREFIXES])
    ]
    rest = rng.integers(0, 10**8, n)
    parts = pl.DataFrame(
        {
            "a": pl.Series(prefix).cast(pl.String),
            "b": pl.Series(rest // 10_000).cast(pl.String).str.zfill(4),
            "c": pl.Series(rest % 10_000).cast(pl.String).str.zfill(4),
        }
    )
    return _apply_formats(parts, CN_PHONE_FORMATS, pick(rng.random(n), [w for _, w in CN_PHONE_FORMATS]))


def kr_mobiles(rng: np.random.Generator, n: int) -> pl.Series:
    """Korean 010 mobile numbers as people write them (middle block 2000-9999 minus unassigned 5970-5999)."""
    middle = rng.integers(2000, 9970, n)
    middle = np.where(middle >= 5970, middle + 30, middle)
    parts = pl.DataFrame(
        {
            "a": pl.Series(["010"] * n),
            "b": pl.Series(middle).cast(pl.String),
            "c": pl.Series(rng.integers(0, 10_000, n)).cast(pl.String).str.zfill(4),
        }
    )
    return _apply_formats(parts, KR_PHONE_FORMATS, pick(rng.random(n), [w for _, w in KR_PHONE_FORMATS]))


def emails(
    rng: np.random.Generator,
    surname: pl.Series,
    given: pl.Series,
    birth_year: IntArray,
    korean: BoolArray,
) -> pl.Series:
    """E-mail addresses from romanised names: ``zhangwei1990@163.com``, ``wei.zhang@gmail.com``,
    ``zw88@126.com``, numeric QQ addresses (``123456789@qq.com``), ``minjun.kim@naver.com`` ..."""
    n = len(surname)
    cn_dom = pick(rng.random(n), [w for _, w in CN_EMAIL_DOMAINS])
    kr_dom = pick(rng.random(n), [w for _, w in KR_EMAIL_DOMAINS])
    domain = take([d for d, _ in CN_EMAIL_DOMAINS], cn_dom).zip_with(
        pl.Series(~korean), take([d for d, _ in KR_EMAIL_DOMAINS], kr_dom)
    )
    frame = pl.DataFrame(
        {
            "s": surname,
            "g": given,
            "y": birth_year,
            "r": rng.integers(1, 1000, n),
            "qq": rng.integers(10**5, 4 * 10**9, n),
            "style": rng.integers(0, 6, n),
            "dom": domain,
        }
    )
    s, g = pl.col("s"), pl.col("g")
    yy = (pl.col("y") % 100).cast(pl.String).str.zfill(2)
    initials = s.str.slice(0, 1) + g.str.slice(0, 1)
    local = (
        pl.when((pl.col("dom") == "qq.com") & (pl.col("style") < 3))
        .then(pl.col("qq").cast(pl.String))
        .when(pl.col("style") == 0)
        .then(s + g + pl.col("y").cast(pl.String))
        .when(pl.col("style") == 1)
        .then(g + "." + s)
        .when(pl.col("style") == 2)
        .then(initials + yy)
        .when(pl.col("style") == 3)
        .then(s + g + pl.col("r").cast(pl.String))
        .when(pl.col("style") == 4)
        .then(s + "_" + g)
        .otherwise(s + initials.str.slice(1) + yy)
    )
    return frame.select((local + "@" + pl.col("dom")).alias("email")).to_series()


def ip_addresses(rng: np.random.Generator, korean: BoolArray, v6_share: float) -> pl.Series:
    """Carrier IP addresses: IPv4 in CN/KR carrier networks, ``v6_share`` IPv6 (``240e:3b4:38c0:…``)."""
    n = len(korean)
    net4 = take(CN_IPV4_NETS, rng.integers(0, len(CN_IPV4_NETS), n)).zip_with(
        pl.Series(~korean), take(KR_IPV4_NETS, rng.integers(0, len(KR_IPV4_NETS), n))
    )
    net6 = take(CN_IPV6_NETS, rng.integers(0, len(CN_IPV6_NETS), n)).zip_with(
        pl.Series(~korean), take(KR_IPV6_NETS, rng.integers(0, len(KR_IPV6_NETS), n))
    )
    groups = rng.integers(0, 65536, (n, 7))
    frame = pl.DataFrame(
        {
            "n4": net4,
            "host": _OCTET2.gather(rng.integers(0, len(_OCTET2), n)),
            "n6": net6,
            "kr": korean,
            "v6": rng.random(n) < v6_share,
            **{f"g{i}": _HEX4.gather(groups[:, i]) for i in range(7)},
        }
    )
    # An address has eight groups: the CN networks name one of them, the KR networks two.
    seven = pl.concat_str([pl.col(f"g{i}") for i in range(7)], separator=":")
    six = pl.concat_str([pl.col(f"g{i}") for i in range(1, 7)], separator=":")
    v6 = pl.col("n6") + ":" + pl.when(pl.col("kr")).then(six).otherwise(seven)
    return frame.select(
        pl.when(pl.col("v6")).then(v6).otherwise(pl.col("n4") + "." + pl.col("host")).alias("ip")
    ).to_series()


def tacs(rng: np.random.Generator, korean: BoolArray) -> IntArray:
    """Type allocation codes for devices of Chinese (mostly domestic brands) and Korean (mostly Samsung and
    Apple) users."""
    n = len(korean)
    codes = np.array([t for t, _, _ in TACS], dtype=np.int64)
    cn = codes[pick(rng.random(n), [w for _, w, _ in TACS])]
    kr = codes[pick(rng.random(n), [w for _, _, w in TACS])]
    return np.where(korean, kr, cn)
