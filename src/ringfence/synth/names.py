"""Personal names: Chinese (weighted common surnames and given-name characters, with pinyin), Korean (Hangul
with Revised Romanization), and a few Latin-script foreign names.

Each builder returns, per row, the name as the customer wrote it and its romanised parts in lower-case ASCII
(the raw material of e-mail local parts).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ringfence.synth.rand import BoolArray, IntArray, pick, take, weighted

# Surname, pinyin, share of the population in per cent (2020 census, rounded).
# fmt: off
CN_SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 7.1), ("李", "li", 7.0), ("张", "zhang", 6.6), ("刘", "liu", 5.4), ("陈", "chen", 4.5),
    ("杨", "yang", 3.1), ("黄", "huang", 2.2), ("赵", "zhao", 2.0), ("吴", "wu", 2.0), ("周", "zhou", 1.9),
    ("徐", "xu", 1.4), ("孙", "sun", 1.4), ("马", "ma", 1.3), ("朱", "zhu", 1.2), ("胡", "hu", 1.2),
    ("郭", "guo", 1.1), ("何", "he", 1.1), ("林", "lin", 1.0), ("高", "gao", 1.0), ("罗", "luo", 0.9),
    ("郑", "zheng", 0.9), ("梁", "liang", 0.9), ("谢", "xie", 0.8), ("宋", "song", 0.7), ("唐", "tang", 0.7),
    ("许", "xu", 0.7), ("韩", "han", 0.7), ("冯", "feng", 0.6), ("邓", "deng", 0.6), ("曹", "cao", 0.6),
    ("彭", "peng", 0.6), ("曾", "zeng", 0.5), ("肖", "xiao", 0.5), ("田", "tian", 0.5), ("董", "dong", 0.5),
    ("袁", "yuan", 0.5), ("潘", "pan", 0.4), ("于", "yu", 0.4), ("蒋", "jiang", 0.4), ("蔡", "cai", 0.4),
    ("余", "yu", 0.4), ("杜", "du", 0.4), ("叶", "ye", 0.4), ("程", "cheng", 0.4), ("苏", "su", 0.3),
    ("魏", "wei", 0.3), ("吕", "lv", 0.3), ("丁", "ding", 0.3), ("任", "ren", 0.3), ("沈", "shen", 0.3),
    ("姚", "yao", 0.3), ("卢", "lu", 0.3), ("姜", "jiang", 0.3), ("崔", "cui", 0.3), ("钟", "zhong", 0.3),
    ("谭", "tan", 0.3), ("陆", "lu", 0.3), ("汪", "wang", 0.3), ("范", "fan", 0.3), ("金", "jin", 0.3),
    ("石", "shi", 0.3), ("廖", "liao", 0.3), ("贾", "jia", 0.3), ("夏", "xia", 0.2), ("韦", "wei", 0.2),
    ("付", "fu", 0.2), ("方", "fang", 0.2), ("白", "bai", 0.2), ("邹", "zou", 0.2), ("孟", "meng", 0.2),
    ("熊", "xiong", 0.2), ("秦", "qin", 0.2), ("邱", "qiu", 0.2), ("江", "jiang", 0.2), ("尹", "yin", 0.2),
    ("薛", "xue", 0.2), ("闫", "yan", 0.2), ("段", "duan", 0.2), ("雷", "lei", 0.2), ("侯", "hou", 0.2),
    ("龙", "long", 0.2), ("史", "shi", 0.2), ("陶", "tao", 0.1), ("黎", "li", 0.1), ("贺", "he", 0.1),
    ("顾", "gu", 0.1), ("毛", "mao", 0.1), ("郝", "hao", 0.1), ("龚", "gong", 0.1), ("邵", "shao", 0.1),
    ("万", "wan", 0.1), ("钱", "qian", 0.1), ("严", "yan", 0.1), ("覃", "qin", 0.1), ("武", "wu", 0.1),
    ("戴", "dai", 0.1), ("莫", "mo", 0.1), ("孔", "kong", 0.1), ("向", "xiang", 0.1), ("汤", "tang", 0.1),
    ("欧阳", "ouyang", 0.05), ("上官", "shangguan", 0.01), ("司马", "sima", 0.01), ("诸葛", "zhuge", 0.01),
)
# fmt: on

# Given-name characters with pinyin, by the sex they are mostly given to.
# fmt: off
CN_GIVEN_MALE: tuple[tuple[str, str], ...] = (
    ("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("勇", "yong"), ("杰", "jie"),
    ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("刚", "gang"), ("平", "ping"), ("辉", "hui"),
    ("鹏", "peng"), ("华", "hua"), ("飞", "fei"), ("鑫", "xin"), ("波", "bo"), ("斌", "bin"),
    ("宇", "yu"), ("浩", "hao"), ("凯", "kai"), ("健", "jian"), ("俊", "jun"), ("帆", "fan"),
    ("帅", "shuai"), ("旭", "xu"), ("宁", "ning"), ("龙", "long"), ("林", "lin"), ("阳", "yang"),
    ("建", "jian"), ("国", "guo"), ("志", "zhi"), ("文", "wen"), ("博", "bo"), ("子", "zi"),
    ("轩", "xuan"), ("睿", "rui"), ("泽", "ze"), ("晨", "chen"), ("天", "tian"), ("海", "hai"),
    ("东", "dong"), ("峰", "feng"), ("成", "cheng"), ("亮", "liang"), ("振", "zhen"), ("一", "yi"),
    ("航", "hang"), ("铭", "ming"), ("豪", "hao"), ("毅", "yi"), ("嘉", "jia"), ("梓", "zi"),
    ("永", "yong"),
)
# fmt: on
# fmt: off
CN_GIVEN_FEMALE: tuple[tuple[str, str], ...] = (
    ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("艳", "yan"),
    ("娟", "juan"), ("霞", "xia"), ("秀", "xiu"), ("英", "ying"), ("兰", "lan"), ("玲", "ling"),
    ("婷", "ting"), ("雪", "xue"), ("慧", "hui"), ("莹", "ying"), ("倩", "qian"), ("琳", "lin"),
    ("颖", "ying"), ("欣", "xin"), ("怡", "yi"), ("梅", "mei"), ("晶", "jing"), ("燕", "yan"),
    ("萍", "ping"), ("红", "hong"), ("洁", "jie"), ("琴", "qin"), ("丹", "dan"), ("雯", "wen"),
    ("璐", "lu"), ("悦", "yue"), ("涵", "han"), ("诗", "shi"), ("可", "ke"), ("馨", "xin"),
    ("雨", "yu"), ("萱", "xuan"), ("琪", "qi"), ("瑶", "yao"), ("桐", "tong"), ("淑", "shu"),
    ("美", "mei"), ("春", "chun"), ("桂", "gui"), ("凤", "feng"), ("佳", "jia"), ("思", "si"),
    ("嘉", "jia"), ("晓", "xiao"),
)
# fmt: on

# Surname in Hangul, its usual romanisation, share in per cent (2015 census, rounded).
# fmt: off
KR_SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("김", "kim", 21.5), ("이", "lee", 14.7), ("박", "park", 8.4), ("최", "choi", 4.7), ("정", "jung", 4.3),
    ("강", "kang", 2.4), ("조", "cho", 2.1), ("윤", "yoon", 2.1), ("장", "jang", 2.0), ("임", "lim", 1.7),
    ("한", "han", 1.5), ("오", "oh", 1.5), ("서", "seo", 1.5), ("신", "shin", 1.4), ("권", "kwon", 1.4),
    ("황", "hwang", 1.4), ("안", "ahn", 1.3), ("송", "song", 1.3), ("전", "jeon", 1.1), ("홍", "hong", 1.1),
    ("유", "yoo", 1.1), ("고", "ko", 0.9), ("문", "moon", 0.9), ("양", "yang", 0.9), ("손", "son", 0.9),
    ("배", "bae", 0.8), ("백", "baek", 0.8), ("허", "heo", 0.7), ("남", "nam", 0.5), ("심", "shim", 0.5),
    ("노", "noh", 0.4), ("하", "ha", 0.4), ("곽", "kwak", 0.4), ("성", "sung", 0.4), ("차", "cha", 0.4),
    ("주", "joo", 0.4), ("우", "woo", 0.4), ("구", "koo", 0.4), ("민", "min", 0.3), ("류", "ryu", 0.3),
    ("나", "na", 0.3), ("진", "jin", 0.3), ("지", "ji", 0.3), ("엄", "eom", 0.3), ("채", "chae", 0.3),
    ("원", "won", 0.3), ("천", "cheon", 0.3), ("방", "bang", 0.3), ("공", "kong", 0.2), ("현", "hyun", 0.2),
    ("함", "ham", 0.2), ("변", "byun", 0.2), ("염", "yeom", 0.2), ("여", "yeo", 0.2), ("추", "choo", 0.2),
    ("도", "do", 0.1), ("소", "so", 0.1), ("석", "seok", 0.1), ("선", "sun", 0.1), ("설", "seol", 0.1),
    ("마", "ma", 0.1), ("길", "gil", 0.1), ("연", "yeon", 0.1), ("위", "wi", 0.1), ("표", "pyo", 0.1),
    ("명", "myung", 0.1), ("기", "ki", 0.1), ("반", "ban", 0.1), ("왕", "wang", 0.1), ("금", "geum", 0.1),
    ("남궁", "namgung", 0.02), ("황보", "hwangbo", 0.02), ("제갈", "jegal", 0.01), ("선우", "sunwoo", 0.01),
)
# fmt: on

# Given names in Hangul with their romanisation (as people write it in passports), by sex.
# fmt: off
KR_GIVEN_MALE: tuple[tuple[str, str], ...] = (
    ("민준", "Min-jun"), ("서준", "Seo-jun"), ("도윤", "Do-yun"), ("예준", "Ye-jun"),
    ("시우", "Si-woo"), ("하준", "Ha-jun"), ("지호", "Ji-ho"), ("주원", "Ju-won"),
    ("지후", "Ji-hu"), ("준우", "Jun-woo"), ("현우", "Hyun-woo"), ("준서", "Jun-seo"),
    ("건우", "Geon-woo"), ("우진", "Woo-jin"), ("민재", "Min-jae"), ("현준", "Hyun-jun"),
    ("정우", "Jung-woo"), ("승우", "Seung-woo"), ("승현", "Seung-hyun"), ("지훈", "Ji-hoon"),
    ("성민", "Sung-min"), ("동현", "Dong-hyun"), ("민수", "Min-su"), ("영수", "Young-soo"),
    ("영호", "Young-ho"), ("영철", "Young-chul"), ("정호", "Jung-ho"), ("성호", "Sung-ho"),
    ("상철", "Sang-chul"), ("재현", "Jae-hyun"), ("태현", "Tae-hyun"), ("준호", "Jun-ho"),
    ("상훈", "Sang-hoon"), ("진우", "Jin-woo"), ("동욱", "Dong-wook"), ("성진", "Sung-jin"),
    ("광수", "Kwang-soo"), ("종민", "Jong-min"), ("재민", "Jae-min"), ("태윤", "Tae-yun"),
)
# fmt: on
# fmt: off
KR_GIVEN_FEMALE: tuple[tuple[str, str], ...] = (
    ("서윤", "Seo-yun"), ("서연", "Seo-yeon"), ("지우", "Ji-woo"), ("서현", "Seo-hyun"),
    ("민서", "Min-seo"), ("하은", "Ha-eun"), ("하윤", "Ha-yun"), ("윤서", "Yun-seo"),
    ("지유", "Ji-yu"), ("지민", "Ji-min"), ("채원", "Chae-won"), ("수아", "Su-a"),
    ("다은", "Da-eun"), ("예은", "Ye-eun"), ("수빈", "Su-bin"), ("지아", "Ji-a"),
    ("소윤", "So-yun"), ("예린", "Ye-rin"), ("영희", "Young-hee"), ("순자", "Soon-ja"),
    ("정숙", "Jung-sook"), ("영숙", "Young-sook"), ("미숙", "Mi-sook"), ("경숙", "Kyung-sook"),
    ("은정", "Eun-jung"), ("미영", "Mi-young"), ("지영", "Ji-young"), ("수진", "Su-jin"),
    ("현주", "Hyun-joo"), ("은영", "Eun-young"), ("혜진", "Hye-jin"), ("유진", "Yu-jin"),
    ("민지", "Min-ji"), ("수연", "Su-yeon"), ("지현", "Ji-hyun"), ("은지", "Eun-ji"),
    ("미경", "Mi-kyung"), ("선영", "Sun-young"),
)
# fmt: on

# Foreign residents (registered with an alien registration number in Korea): given names by sex, surnames.
FOREIGN_GIVEN_MALE = (
    "John",
    "Michael",
    "David",
    "James",
    "Daniel",
    "Thomas",
    "Minh",
    "Tuan",
    "Alexander",
    "Arjun",
)
FOREIGN_GIVEN_FEMALE = (
    "Sarah",
    "Emily",
    "Jessica",
    "Anna",
    "Maria",
    "Linh",
    "Thi Mai",
    "Olivia",
    "Sophie",
    "Priya",
)
FOREIGN_SURNAMES = (
    "Smith",
    "Johnson",
    "Brown",
    "Miller",
    "Nguyen",
    "Tran",
    "Le",
    "Ivanov",
    "Garcia",
    "Sharma",
)


def _cap(col: pl.Expr) -> pl.Expr:
    return col.str.slice(0, 1).str.to_uppercase() + col.str.slice(1)


def chinese_names(rng: np.random.Generator, male: BoolArray, latin_share: float) -> pl.DataFrame:
    """Chinese names for each row: ``name`` (Hanzi, or pinyin for ``latin_share`` of rows, as people type it
    into an app: "Zhang Wei", "ZHANG WEI" or "Wei Zhang"), and lower-case pinyin ``surname_ascii`` and
    ``given_ascii``. Surnames follow census frequencies; given names have one or two characters."""
    n = len(male)
    surname = weighted(rng, [w for _, _, w in CN_SURNAMES], n)
    two = rng.random(n) < 0.65
    u1, u2 = rng.random(n), rng.random(n)
    nm, nf = len(CN_GIVEN_MALE), len(CN_GIVEN_FEMALE)
    # Index into the concatenation male + female; women's second character is from the female list.
    g1 = np.where(male, (u1 * nm).astype(np.int64), nm + (u1 * nf).astype(np.int64))
    g2 = np.where(male, (u2 * nm).astype(np.int64), nm + (u2 * nf).astype(np.int64))
    given = CN_GIVEN_MALE + CN_GIVEN_FEMALE
    chars = pl.Series([c for c, _ in given])
    pinyin = pl.Series([p for _, p in given])
    style = pick(rng.random(n), [1.0 - latin_share, latin_share * 0.6, latin_share * 0.2, latin_share * 0.2])
    frame = pl.DataFrame(
        {
            "sn": take([s for s, _, _ in CN_SURNAMES], surname),
            "sp": take([p for _, p, _ in CN_SURNAMES], surname),
            "c1": chars.gather(g1),
            "p1": pinyin.gather(g1),
            "c2": chars.gather(g2).zip_with(pl.Series(two), pl.Series([""] * n)),
            "p2": pinyin.gather(g2).zip_with(pl.Series(two), pl.Series([""] * n)),
            "style": style,
        }
    )
    given_py = pl.col("p1") + pl.col("p2")
    return frame.select(
        pl.when(pl.col("style") == 0)
        .then(pl.col("sn") + pl.col("c1") + pl.col("c2"))
        .when(pl.col("style") == 1)
        .then(_cap(pl.col("sp")) + " " + _cap(given_py))
        .when(pl.col("style") == 2)
        .then((pl.col("sp") + " " + given_py).str.to_uppercase())
        .otherwise(_cap(given_py) + " " + _cap(pl.col("sp")))
        .alias("name"),
        pl.col("sp").alias("surname_ascii"),
        given_py.alias("given_ascii"),
    )


def korean_names(
    rng: np.random.Generator, male: BoolArray, foreign: BoolArray, latin_share: float
) -> pl.DataFrame:
    """Korean names for each row: ``name`` in Hangul (김민준), romanised for ``latin_share`` of rows
    ("Kim Min-jun", "KIM MINJUN"), or a Latin-script name for ``foreign`` rows; plus lower-case ASCII
    ``surname_ascii`` and ``given_ascii``."""
    n = len(male)
    surname = weighted(rng, [w for _, _, w in KR_SURNAMES], n)
    u = rng.random(n)
    nm, nf = len(KR_GIVEN_MALE), len(KR_GIVEN_FEMALE)
    g = np.where(male, (u * nm).astype(np.int64), nm + (u * nf).astype(np.int64))
    given = KR_GIVEN_MALE + KR_GIVEN_FEMALE
    style = pick(rng.random(n), [1.0 - latin_share, latin_share * 0.7, latin_share * 0.3])
    uf = rng.random(n)
    fm, ff = len(FOREIGN_GIVEN_MALE), len(FOREIGN_GIVEN_FEMALE)
    fg: IntArray = np.where(male, (uf * fm).astype(np.int64), fm + (uf * ff).astype(np.int64))
    fs = rng.integers(0, len(FOREIGN_SURNAMES), n)
    frame = pl.DataFrame(
        {
            "sn": take([s for s, _, _ in KR_SURNAMES], surname),
            "sr": take([r for _, r, _ in KR_SURNAMES], surname),
            "gn": take([h for h, _ in given], g),
            "gr": take([r for _, r in given], g),
            "fg": take(FOREIGN_GIVEN_MALE + FOREIGN_GIVEN_FEMALE, fg),
            "fs": take(FOREIGN_SURNAMES, fs),
            "style": style,
            "foreign": foreign,
        }
    )
    return frame.select(
        pl.when(pl.col("foreign"))
        .then(pl.col("fg") + " " + pl.col("fs"))
        .when(pl.col("style") == 0)
        .then(pl.col("sn") + pl.col("gn"))
        .when(pl.col("style") == 1)
        .then(_cap(pl.col("sr")) + " " + pl.col("gr"))
        .otherwise((pl.col("sr") + " " + pl.col("gr").str.replace("-", "")).str.to_uppercase())
        .alias("name"),
        pl.when(pl.col("foreign"))
        .then(pl.col("fs").str.to_lowercase())
        .otherwise(pl.col("sr"))
        .alias("surname_ascii"),
        pl.when(pl.col("foreign"))
        .then(pl.col("fg").str.to_lowercase().str.replace_all(" ", ""))
        .otherwise(pl.col("gr").str.to_lowercase().str.replace("-", ""))
        .alias("given_ascii"),
    )
