"""The entity specs: one per vocabulary name, every field valid, and the tables derived from them equal to
the tables they replaced (pinned here as they stood before the specs)."""

from __future__ import annotations

import importlib
import pkgutil
import re
import unicodedata
from typing import Any, get_args

import polars as pl
import pytest

from ringfence.detect import classify, entities, headers
from ringfence.detect.entities import ENTITIES, SPECS, free_text
from ringfence.detect.spec import Category, EntitySpec, Kind, SpanKind, Tier
from ringfence.detect.vocabulary import ENTITY_TYPES, FREE_TEXT
from ringfence.policy import draft, parse_policy
from ringfence.policy.rules import ACTIONS
from ringfence.report import entities as report_entities
from ringfence.transform import mask

SPEC_LIST = list(SPECS.values())
IDS = list(SPECS)


def _declared_specs() -> list[EntitySpec]:
    """Every ``SPEC`` any module of ``ringfence.detect.entities`` declares."""
    found = []
    for info in pkgutil.iter_modules(entities.__path__):
        module = importlib.import_module(f"{entities.__name__}.{info.name}")
        spec = getattr(module, "SPEC", None)
        if isinstance(spec, EntitySpec):
            found.append(spec)
    return found


def test_every_vocabulary_name_has_exactly_one_spec() -> None:
    declared = _declared_specs()
    assert sorted(s.entity for s in declared) == sorted(ENTITY_TYPES)
    assert list(SPECS) == list(ENTITY_TYPES)
    assert sorted(declared, key=lambda s: ENTITY_TYPES.index(s.entity)) == SPEC_LIST
    for name, module in ENTITIES.items():
        assert module.SPEC is SPECS[name] and name == module.ENTITY
    assert SPECS[FREE_TEXT] is free_text.SPEC and FREE_TEXT not in ENTITIES


@pytest.mark.parametrize("spec", SPEC_LIST, ids=IDS)
def test_names_kind_category_and_country_are_valid(spec: EntitySpec) -> None:
    assert spec.label and spec.label[0].isupper() and spec.label.strip() == spec.label
    assert spec.kind in get_args(Kind)
    assert spec.category in get_args(Category)
    assert spec.country is None or re.fullmatch(r"[A-Z]{2}", spec.country)
    assert spec.country is None or spec.country_of is None
    assert not spec.high_risk or spec.kind == "direct"


def test_labels_are_distinct() -> None:
    labels = [s.label for s in SPEC_LIST]
    assert len(set(labels)) == len(labels)


_HAN = re.compile(r"[\u4E00-\u9FFF]")
_HANGUL = re.compile(r"[\uAC00-\uD7A3]")
_JAPANESE = re.compile(r"[\u4E00-\u9FFF\u3040-\u30FF]")
_LATIN = re.compile(r"[a-zà-ÿ]+")


@pytest.mark.parametrize("spec", SPEC_LIST, ids=IDS)
def test_hints_are_normalised_and_in_their_language(spec: EntitySpec) -> None:
    hints = spec.hints
    assert hints.words, "every entity has a header hint"
    assert len(set(hints.words)) == len(hints.words)
    for word in hints.words:
        assert headers.normalise(word) == word
        assert unicodedata.normalize("NFKC", word) == word
    assert all(w.isascii() and w.isalnum() for w in hints.en)
    assert all(_HAN.search(w) and not _HANGUL.search(w) for w in hints.zh)
    assert all(_HANGUL.search(w) and not _HAN.search(w) for w in hints.ko)
    assert all(_JAPANESE.search(w) and not _HANGUL.search(w) for w in hints.ja)
    assert all(w.isalpha() and _LATIN.fullmatch(w) for w in hints.eu)


def test_no_hint_word_names_two_entities() -> None:
    words = [w for s in SPEC_LIST for w in s.hints.words]
    assert len(set(words)) == len(words)


@pytest.mark.parametrize("spec", SPEC_LIST, ids=IDS)
def test_detection_is_valid(spec: EntitySpec) -> None:
    found = spec.detection
    if spec.entity == FREE_TEXT:
        assert found is None  # found inside prose by the spans, not by a validator
        return
    assert found is not None
    assert found.tier in get_args(Tier)
    assert 0.0 < found.bar <= 1.0
    assert found.bar - classify.HINT_RELIEF > 0.0  # a header lowers the bar, never to nothing
    pl.Series(["x"]).str.contains(found.gate)  # compiles in Polars' regex dialect
    assert found.span is None or found.span in free_text.SPANS
    assert found.span is None or spec.kind == "direct"


def test_precedences_are_distinct_and_every_span_kind_finds_something() -> None:
    precedences = [s.detection.precedence for s in SPEC_LIST if s.detection]
    assert len(set(precedences)) == len(precedences)
    assert set(free_text.SPANS) == set(get_args(SpanKind))
    assert all(classify._SPAN_ENTITIES[kind] for kind in get_args(SpanKind))


@pytest.mark.parametrize("spec", SPEC_LIST, ids=IDS)
def test_the_draft_default_is_a_rule_that_loads(spec: EntitySpec) -> None:
    assert spec.draft.action in ACTIONS and spec.draft.why.strip()
    assert spec.draft.action != "keep"
    text = draft.draft_policy([("c", spec.entity)])
    assert parse_policy(text).columns["c"].action == spec.draft.action
    assert spec.draft.rule == {"action": spec.draft.action, **spec.draft.params}
    with pytest.raises(TypeError):
        spec.draft.params["action"] = "keep"  # type: ignore[index]


def test_mask_defaults_are_the_masks_defaults() -> None:
    """mask derives its defaults from the specs; the values are pinned as they were."""
    assert mask.DEFAULT_KEEP == {
        "PAYMENT_CARD": (0, 4),
        "PHONE_NUMBER": (3, 4),
        "EMAIL_ADDRESS": (1, 0),
        "IBAN": (0, 4),
        "BANK_ACCOUNT": (0, 4),
        "PERSON_NAME": (1, 0),
    }


# ------------------------------------------------------------------ the tables as they were, pinned

STRONG = {
    "CN_RESIDENT_ID": 0.6, "KR_RRN": 0.6, "PAYMENT_CARD": 0.7, "IBAN": 0.7, "IMEI": 0.7,
    "EMAIL_ADDRESS": 0.6, "IP_ADDRESS": 0.6, "PHONE_NUMBER": 0.6, "GEO_COORDINATE": 0.7,
    "DATE_OF_BIRTH": 0.8,
}  # fmt: skip
WEAK = {
    "PERSON_NAME": 0.7,
    "POSTAL_ADDRESS": 0.6,
    "PASSPORT_NUMBER": 0.8,
    "BANK_ACCOUNT": 0.8,
    "INTERNAL_ID": 0.9,
}
SPECIFICITY = (
    "CN_RESIDENT_ID", "KR_RRN", "IBAN", "PAYMENT_CARD", "IMEI", "EMAIL_ADDRESS", "IP_ADDRESS",
    "PHONE_NUMBER", "PASSPORT_NUMBER", "GEO_COORDINATE", "DATE_OF_BIRTH", "POSTAL_ADDRESS", "PERSON_NAME",
    "BANK_ACCOUNT", "INTERNAL_ID",
)  # fmt: skip
GATES = {
    "CN_RESIDENT_ID": r"^[\s\d\-xX]{15,30}$",
    "KR_RRN": r"^[\s\d\-]{13,20}$",
    "IBAN": r"^\s*[A-Za-z]{2}\s*\d",
    "PAYMENT_CARD": r"^[\s\d\-]{12,30}$",
    "IMEI": r"^[\s\d\-/]{14,24}$",
    "EMAIL_ADDRESS": r"@",
    "IP_ADDRESS": r"^\s*[0-9A-Fa-f:.\[\]/%\s]{2,60}$",
    "PHONE_NUMBER": r"\d.*\d.*\d.*\d.*\d.*\d",
    "PASSPORT_NUMBER": r"^\s*[A-Za-z0-9]",  # round two: nine-digit passports
    "GEO_COORDINATE": r"\d\.\d",
    "DATE_OF_BIRTH": r"^\s*\d[\d\-/.年月日년월일\s:TZUC+－／．：]{5,39}$",
    "POSTAL_ADDRESS": r"[省市区县镇乡村路街巷号栋室楼시도구군읍면로길동번지호]|\d[\s,]+[A-Za-z]"
    r"|[A-Za-z][\s,]+\d",
    "PERSON_NAME": r"^[^\d@/\\:;=<>#%&*+|]{2,60}$",
    "BANK_ACCOUNT": r"\d{4}",
    "INTERNAL_ID": r"[0-9]",
}
SPAN_ENTITIES = {
    "digits": ("CN_RESIDENT_ID", "KR_RRN", "PAYMENT_CARD", "PHONE_NUMBER"),
    "email": ("EMAIL_ADDRESS",),
    "ipv4": ("IP_ADDRESS",),
}
HINTS = {
    "CN_RESIDENT_ID": "身份证 证件号 公民身份 residentid citizenid idcard idno nationalid sfz "
    "shenfenzheng ric",
    "KR_RRN": "주민등록 주민번호 rrn residentregistration jumin",
    "PHONE_NUMBER": "phone mobile cellphone tel msisdn 手机 电话 联系方式 联系电话 手机号 "
    "휴대폰 핸드폰 전화 연락처 휴대전화 電話 携帯 telefon téléphone "
    "telefono teléfono handy",
    "EMAIL_ADDRESS": "email mail 邮箱 电子邮件 이메일 메일",
    "PAYMENT_CARD": "card pan cardno cardnumber 卡号 银行卡 信用卡 카드번호 카드",
    "BANK_ACCOUNT": "account acct accountno bankaccount 账号 账户 帐号 银行账户 계좌 계좌번호 口座 konto "
    "compte "
    "cuenta cbu conto",
    "IBAN": "iban",
    "PASSPORT_NUMBER": "passport 护照 여권 旅券 パスポート passeport reisepass pasaporte passaporto",
    "PERSON_NAME": "name fullname firstname lastname surname holder payee payer 姓名 名字 户名 收款人 付款人 "
    "持卡人 이름 성명 예금주 고객명 氏名 フリガナ ふりがな 名前 nom nombre titular nome cognome "
    "prénom prenom apellido",
    "POSTAL_ADDRESS": "address addr street 地址 住址 收货地址 주소 거주지 住所 所在地 anschrift adresse "
    "indirizzo "
    "dirección direccion domicilio",
    "IP_ADDRESS": "ip ipaddr ipaddress clientip ip地址 아이피",
    "IMEI": "imei deviceid 设备号 단말기",
    "DATE_OF_BIRTH": "birth dob birthday birthdate 出生 生日 생년월일 생일 生年月日 geburtsdatum naissance "
    "nacimiento nascita",
    "GEO_COORDINATE": "lat lon lng latitude longitude gps coord location 经度 纬度 위도 경도",
    "FREE_TEXT_PII": "memo remark note comment description 备注 附言 留言 메모 비고",
    "INTERNAL_ID": " ".join(
        p + s
        for p in ("customer", "cust", "user", "member", "subject", "client", "cardholder")
        for s in ("id", "no", "num", "number", "key", "uuid")
    )
    + " accountid acctid accountkey accountuuid 用户id 客户id 会员id 客户编号 客户号 用户编号 用户号 "
    "会员号 会员编号 고객번호 회원번호 고객id 회원id 会員id 顧客id 顧客番号 会員番号 kundennummer kundenid "
    "numeroclient idcliente",
}
LABELS = {
    "PERSON_NAME": "Person name", "PHONE_NUMBER": "Phone number", "EMAIL_ADDRESS": "Email address",
    "CN_RESIDENT_ID": "CN resident ID", "KR_RRN": "KR resident registration no.",
    "PASSPORT_NUMBER": "Passport number", "PAYMENT_CARD": "Payment card number",
    "BANK_ACCOUNT": "Bank account number", "IBAN": "IBAN", "POSTAL_ADDRESS": "Postal address",
    "IP_ADDRESS": "IP address", "IMEI": "Device IMEI", "DATE_OF_BIRTH": "Date of birth",
    "GEO_COORDINATE": "Geo-coordinate", "FREE_TEXT_PII": "Free text with personal data",
    "INTERNAL_ID": "Internal person key",
}  # fmt: skip
HIGH_RISK = {"CN_RESIDENT_ID", "KR_RRN", "PASSPORT_NUMBER", "PAYMENT_CARD", "BANK_ACCOUNT", "IBAN"}
_TOKEN = {"action": "tokenize", "scope": "recipient"}
_JOINS = "keyed token: joins within this recipient's copy, links to no other copy"
_DERIVE = {"action": "derive", "fields": ["birth_year", "gender"]}
_TOKEN_WHY = "keyed token; the number is removed"
DRAFT_DEFAULTS: dict[str, tuple[dict[str, Any], str]] = {
    "PERSON_NAME": ({"action": "drop"}, "names are direct identifiers and rarely needed by a recipient"),
    "PHONE_NUMBER": (_TOKEN, _JOINS),
    "EMAIL_ADDRESS": (_TOKEN, _JOINS),
    "CN_RESIDENT_ID": (
        _DERIVE,
        "the ID is removed; birth year and gender are kept for analysis (quasi-identifiers: check "
        "`ringfence risk`). Use {action: tokenize} instead if the recipient must join on the person",
    ),
    "KR_RRN": (
        _DERIVE,
        "the RRN is removed (PIPA restricts processing it); birth year and gender are kept (check "
        "`ringfence risk`). Use {action: tokenize} instead if the recipient must join on the person",
    ),
    "PASSPORT_NUMBER": (_TOKEN, _TOKEN_WHY),
    "PAYMENT_CARD": (
        {"action": "mask", "keep_last": 4},
        "last 4 digits only, as PCI DSS allows for display; use tokenize to join on the card",
    ),
    "BANK_ACCOUNT": (_TOKEN, _TOKEN_WHY),
    "IBAN": ({"action": "mask", "keep_last": 4}, "last 4 characters only"),
    "POSTAL_ADDRESS": (
        {"action": "generalize", "address": "city"},
        "city level (CN/KR addresses); an address that cannot be read is emptied, never passed on",
    ),
    "IP_ADDRESS": ({"action": "generalize", "ip": {"v4": 24, "v6": 48}}, "network only: IPv4 /24, IPv6 /48"),
    "IMEI": (_TOKEN, "keyed token; the device number is removed"),
    "DATE_OF_BIRTH": ({"action": "generalize", "birth_year": True}, "birth year only"),
    "GEO_COORDINATE": ({"action": "generalize", "geo_decimals": 2}, "2 decimals: a cell of about 1 km"),
    "FREE_TEXT_PII": (
        {"action": "drop"},
        "free text holds personal data inside sentences; it cannot be released safely as a column",
    ),
    "INTERNAL_ID": (
        _TOKEN,
        "the platform's own key of a person: it singles them out and links every release, so it is "
        "tokenised per recipient (joins within one recipient's copies still work)",
    ),
}


def test_the_classifier_tables_are_what_they_were() -> None:
    assert classify.STRONG == STRONG
    assert classify.WEAK == WEAK
    assert frozenset({"BANK_ACCOUNT", "INTERNAL_ID"}) == classify.NEEDS_HINT
    assert classify.SPECIFICITY == SPECIFICITY
    assert classify.GATES == GATES
    assert classify._SPAN_ENTITIES == SPAN_ENTITIES


def test_the_header_hints_are_what_they_were() -> None:
    # hinted_entities returns the set of entities with any matching word: the order of words is free.
    assert {e: set(words) for e, words in headers.HINTS.items()} == {
        e: set(w.split()) for e, w in HINTS.items()
    }


def test_the_report_labels_and_tiers_are_what_they_were() -> None:
    assert report_entities.LABELS == LABELS
    assert report_entities.HIGH_RISK == HIGH_RISK


def test_the_draft_defaults_are_what_they_were() -> None:
    assert draft.DEFAULTS == DRAFT_DEFAULTS
