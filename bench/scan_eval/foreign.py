"""Evaluation set 2: tables built from generators and test vectors nobody on this project wrote.

    python -m bench scan_quality        # scores set 1 and this set side by side in bench/RESULTS.md
    python -m bench.scan_eval.foreign   # writes the tables and labels.json into bench/data/scan_eval2

Values come from three outside sources, and every label is set by the generator that made the column,
never from what ``scan`` says:

- **Faker** (its ``en_GB``, ``en_US``, ``de_DE``, ``fr_FR``, ``it_IT``, ``ja_JP`` and ``es_AR`` locales):
  names,
  katakana readings, phone numbers as each locale writes them, e-mails, street addresses (multi-line
  where Faker makes them so), BBANs and IBANs, passport numbers, birth dates, user agents, companies,
  jobs and sentences;
- **python-stdnum** (the installed package): check digits of Argentine CBUs, IBANs, CN resident IDs, KR
  RRNs, IMEIs and card numbers computed by its ``calc_check_digit(s)`` on random payloads, and checked
  with its ``is_valid`` before they are used;
- **phonenumbers**: ``example_number_for_type`` for every region and number type, written in E.164,
  international and national forms.

Decoys imitate each type and fail its check: the same payloads with a wrong check digit (cards, IBANs,
CBUs, IDs), phone-shaped numbers ``phonenumbers`` calls invalid, ABA routing numbers and ISBNs where an
account number might be, user agents full of dotted version numbers, companies and jobs where a name might
be. Messy formats: ``;``-separated German CSV with decimal commas, a BOM-prefixed Japanese CSV, JSON lines
with multi-line addresses, Parquet, junk placeholders in every column.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import phonenumbers
import polars as pl
from faker import Faker
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from stdnum import iban as std_iban
from stdnum import imei as std_imei
from stdnum import luhn
from stdnum.ar import cbu
from stdnum.cn import ric
from stdnum.kr import rrn

from bench.scan_eval import make_tables, tables
from bench.scan_eval.make_tables import with_junk

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "data" / "scan_eval2"
DEFAULT_SEED = 20261203
LABELS = "labels.json"

Values = Callable[[random.Random, Faker, int], list[str]]


@dataclass(frozen=True)
class Kind:
    """A column's generator and its label (the entity it holds, ``None`` for a decoy)."""

    make: Values
    entity: str | None
    contains: tuple[str, ...] = ()


# ----------------------------------------------------------------------------------------- helpers


def _faker(locale: str) -> Callable[[Callable[[Faker], str]], Values]:
    """A column of ``n`` values from one Faker locale's method (the Faker is seeded by the table)."""

    def wrap(method: Callable[[Faker], str]) -> Values:
        def make(rnd: random.Random, fake: Faker, n: int) -> list[str]:
            local = Faker(locale)
            local.seed_instance(rnd.getrandbits(32))
            return [method(local) for _ in range(n)]

        return make

    return wrap


def _digits(rnd: random.Random, k: int) -> str:
    return "".join(rnd.choice("0123456789") for _ in range(k))


def _wrong(number: str, position: int) -> str:
    """``number`` with the digit at ``position`` changed (so its check digit no longer holds)."""
    position %= len(number)
    digit = number[position]
    other = str((int(digit) + 1 + (ord(number[0]) % 8)) % 10)
    return number[:position] + other + number[position + 1 :]


def _spaced(rnd: random.Random, number: str, size: int = 4) -> str:
    """The number as people write it: plain, or in groups of ``size`` with spaces or hyphens."""
    sep = rnd.choice(["", "", " ", "-"])
    return sep.join(number[i : i + size] for i in range(0, len(number), size)) if sep else number


def _one_line(address: str) -> str:
    return address.replace("\n", ", ")


# ------------------------------------------------------------------------------ python-stdnum values


def _cbu(rnd: random.Random) -> str:
    bank = _digits(rnd, 7)
    bank += cbu.calc_check_digit(bank)
    account = _digits(rnd, 13)
    account += cbu.calc_check_digit(account)
    assert cbu.is_valid(bank + account)
    return bank + account


def cbu_valid(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [_spaced(rnd, _cbu(rnd)) for _ in range(n)]


def cbu_decoy(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    out = []
    for _ in range(n):
        number = _wrong(_cbu(rnd), 21)
        assert not cbu.is_valid(number)
        out.append(number)
    return out


def _iban(rnd: random.Random, fake: Faker) -> str:
    number = fake.iban()
    assert std_iban.is_valid(number)
    return number


def iban_valid(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [_spaced(rnd, _iban(rnd, fake)) for _ in range(n)]


def iban_decoy(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    out = []
    for _ in range(n):
        number = _wrong(_iban(rnd, fake), 3)
        assert not std_iban.is_valid(number)
        out.append(number)
    return out


def _ric(rnd: random.Random) -> str:
    # Region codes of python-stdnum's own table, a birth date, a sequence number, stdnum's check character.
    # stdnum also checks the birth year against the years its table dates the region code to: retry.
    while True:
        region = rnd.choice(["110105", "310115", "440305", "510107", "330106", "320102", "420111"])
        born = f"{rnd.randint(1950, 2004)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
        body = region + born + _digits(rnd, 3)
        number = body + ric.calc_check_digit(body)
        if ric.is_valid(number):
            return number


def _rrn(rnd: random.Random) -> str:
    # stdnum also checks the place-of-birth digits: retry until it accepts the number.
    while True:
        year = rnd.randint(1950, 2004)
        gender = rnd.choice("12") if year < 2000 else rnd.choice("34")
        body = f"{year % 100:02d}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{gender}{_digits(rnd, 5)}"
        number = body + rrn.calc_check_digit(body)
        if rrn.is_valid(number):
            return number


def card_valid(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [_spaced(rnd, fake.credit_card_number()) for _ in range(n)]


def card_decoy(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    out = []
    for _ in range(n):
        number = _wrong(fake.credit_card_number(), -1)
        if luhn.is_valid(number):  # a changed last digit of a 13-19-digit number always breaks Luhn
            continue
        out.append(number)
    return out


def _imei(rnd: random.Random) -> str:
    body = rnd.choice(["35", "86", "01", "99"]) + _digits(rnd, 12)
    number = body + luhn.calc_check_digit(body)
    assert std_imei.is_valid(number)
    return number


def imei_decoy(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [_wrong(_imei(rnd), -1) for _ in range(n)]


# ------------------------------------------------------------------------------- phonenumbers values

_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE)
_REGIONS = sorted(r for r in phonenumbers.SUPPORTED_REGIONS if r != "001")


def _examples() -> list[phonenumbers.PhoneNumber]:
    found = []
    for region in _REGIONS:
        for kind in _TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None and phonenumbers.is_valid_number(example):
                found.append(example)
    return found


def phone_intl(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    """Example numbers of every region, written as E.164, international or 00-prefixed."""
    examples = _examples()
    out = []
    for _ in range(n):
        number = rnd.choice(examples)
        style = rnd.random()
        if style < 0.4:
            out.append(phonenumbers.format_number(number, PhoneNumberFormat.E164))
        elif style < 0.85:
            out.append(phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL))
        else:
            out.append("00" + phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)[1:])
    return out


def _national(region: str) -> Values:
    def make(rnd: random.Random, fake: Faker, n: int) -> list[str]:
        examples = [
            e for kind in _TYPES if (e := phonenumbers.example_number_for_type(region, kind)) is not None
        ]
        out = []
        for _ in range(n):
            number = rnd.choice(examples)
            style = rnd.random()
            fmt = PhoneNumberFormat.NATIONAL if style < 0.7 else PhoneNumberFormat.INTERNATIONAL
            out.append(phonenumbers.format_number(number, fmt))
        return out

    return make


def phone_decoy(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    """International-looking numbers that ``phonenumbers`` calls invalid: an example number with digits
    dropped or added until no region's plan accepts it."""
    examples = _examples()
    out: list[str] = []
    while len(out) < n:
        number = rnd.choice(examples)
        digits = str(number.national_number)
        cut = digits[:-3] if rnd.random() < 0.5 else digits + _digits(rnd, 4)
        text = f"+{number.country_code} {cut}"
        try:
            parsed = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(parsed):
            out.append(text)
    return out


# ---------------------------------------------------------------------------------- free text values

_PLACEHOLDERS = ("ok", "done", "n/a", "-", "called", "no answer", "resolved")


def notes_sparse_phones(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    """Mostly placeholders; 30% ask to be called back at a Faker (en_US, en_GB) phone number."""
    us, gb = Faker("en_US"), Faker("en_GB")
    us.seed_instance(rnd.getrandbits(32))
    gb.seed_instance(rnd.getrandbits(32))
    out = []
    for _ in range(n):
        if rnd.random() < 0.3:
            phone = (us if rnd.random() < 0.5 else gb).phone_number()
            out.append(
                rnd.choice(["call me at {}", "pls call back {}", "Customer asked for a call: {}"]).format(
                    phone
                )
            )
        else:
            out.append(rnd.choice(_PLACEHOLDERS))
    return out


def remark_sparse_ids(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    """A remark column in which 3.6% of the rows are a bare CN resident ID, the rest short words."""
    words = ("paid", "refund", "ok", "vip", "check later", "dup", "waived")
    return [_ric(rnd) if rnd.random() < 0.036 else rnd.choice(words) for _ in range(n)]


def json_blobs(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    """JSON attributes of a KYC event: an RRN and a Korean mobile among device fields."""
    out = []
    for _ in range(n):
        number = _rrn(rnd)
        doc = {
            "rrn": f"{number[:6]}-{number[6:]}",
            "device": fake.user_agent(),
            "score": round(rnd.random(), 3),
            "phone": f"010-{_digits(rnd, 4)}-{_digits(rnd, 4)}",
        }
        out.append(json.dumps(doc))
    return out


def sentences(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [fake.sentence(nb_words=rnd.randint(5, 14)) for _ in range(n)]


# ------------------------------------------------------------------------------------- other values


def ja_passport(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    """Japanese passports: T or M, a letter (TK, TR, MZ, ...) and seven digits (Faker has no ja_JP form)."""
    return [fake.bothify(rnd.choice(["T?#######", "M?#######"])).upper() for _ in range(n)]


def kr_passport_2021(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [fake.bothify("M###?####").upper() for _ in range(n)]


def account_digits(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    """Domestic account numbers of 8-17 digits without separators (Faker's numerify)."""
    return [fake.numerify("#" * rnd.randint(8, 17)) for _ in range(n)]


def key_like(prefix: str) -> Values:
    def make(rnd: random.Random, fake: Faker, n: int) -> list[str]:
        return [fake.bothify(prefix + "########") for _ in range(n)]

    return make


def uuid4(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [fake.uuid4() for _ in range(n)]


def amount_comma(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [f"{rnd.uniform(1, 5000):.2f}".replace(".", ",") for _ in range(n)]


def amount_dot(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [f"{rnd.uniform(1, 5000):.2f}" for _ in range(n)]


def created_at(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [fake.date_time_between("-2y").isoformat(sep=" ") for _ in range(n)]


def order_ref(rnd: random.Random, fake: Faker, n: int) -> list[str]:
    return [fake.bothify("ORD-####-????").upper() for _ in range(n)]


def dob(fmt: str) -> Values:
    def make(rnd: random.Random, fake: Faker, n: int) -> list[str]:
        return [fake.date_of_birth(minimum_age=18, maximum_age=90).strftime(fmt) for _ in range(n)]

    return make


_GB, _US, _DE, _FR, _IT, _JP, _AR = (
    _faker(loc) for loc in ("en_GB", "en_US", "de_DE", "fr_FR", "it_IT", "ja_JP", "es_AR")
)

KINDS: dict[str, Kind] = {
    # personal data
    "gb_name": Kind(_GB(lambda f: f.name()), "PERSON_NAME"),
    "gb_phone": Kind(_GB(lambda f: f.phone_number()), "PHONE_NUMBER"),
    "gb_email": Kind(_GB(lambda f: f.email()), "EMAIL_ADDRESS"),
    "gb_address": Kind(_GB(lambda f: _one_line(f.address())), "POSTAL_ADDRESS"),
    "gb_bban": Kind(_GB(lambda f: f.bban()), "BANK_ACCOUNT"),
    "gb_passport": Kind(_GB(lambda f: f.passport_number()), "PASSPORT_NUMBER"),
    "us_name": Kind(_US(lambda f: f.name()), "PERSON_NAME"),
    "us_phone": Kind(_US(lambda f: f.phone_number()), "PHONE_NUMBER"),
    "us_address_multiline": Kind(_US(lambda f: f.address()), "POSTAL_ADDRESS"),
    "us_passport": Kind(_US(lambda f: f.passport_number()), "PASSPORT_NUMBER"),
    "us_account": Kind(account_digits, "BANK_ACCOUNT"),
    "de_name": Kind(_DE(lambda f: f.name()), "PERSON_NAME"),
    "de_phone": Kind(_DE(lambda f: f.phone_number()), "PHONE_NUMBER"),
    "de_email": Kind(_DE(lambda f: f.email()), "EMAIL_ADDRESS"),
    "de_address": Kind(_DE(lambda f: _one_line(f.address())), "POSTAL_ADDRESS"),
    "de_bban": Kind(_DE(lambda f: f.bban()), "BANK_ACCOUNT"),
    "de_dob": Kind(dob("%d.%m.%Y"), "DATE_OF_BIRTH"),
    "fr_name": Kind(_FR(lambda f: f.name()), "PERSON_NAME"),
    "fr_phone": Kind(_FR(lambda f: f.phone_number()), "PHONE_NUMBER"),
    "fr_address": Kind(_FR(lambda f: _one_line(f.address())), "POSTAL_ADDRESS"),
    "fr_dob": Kind(dob("%d/%m/%Y"), "DATE_OF_BIRTH"),
    "it_phone": Kind(_IT(lambda f: f.phone_number()), "PHONE_NUMBER"),
    "it_address": Kind(_IT(lambda f: _one_line(f.address())), "POSTAL_ADDRESS"),
    "jp_name": Kind(_JP(lambda f: f.name()), "PERSON_NAME"),
    "jp_kana": Kind(_JP(lambda f: f.kana_name()), "PERSON_NAME"),
    "jp_phone": Kind(_JP(lambda f: f.phone_number()), "PHONE_NUMBER"),
    "jp_address": Kind(_JP(lambda f: f.address()), "POSTAL_ADDRESS"),
    "jp_dob": Kind(dob("%Y/%m/%d"), "DATE_OF_BIRTH"),
    "jp_passport": Kind(ja_passport, "PASSPORT_NUMBER"),
    "kr_passport_2021": Kind(kr_passport_2021, "PASSPORT_NUMBER"),
    "ar_name": Kind(_AR(lambda f: f.name()), "PERSON_NAME"),
    "ar_cbu": Kind(cbu_valid, "BANK_ACCOUNT"),
    "iban": Kind(iban_valid, "IBAN"),
    "card": Kind(card_valid, "PAYMENT_CARD"),
    "phone_intl": Kind(phone_intl, "PHONE_NUMBER"),
    "phone_jp_national": Kind(_national("JP"), "PHONE_NUMBER"),
    "phone_us_national": Kind(_national("US"), "PHONE_NUMBER"),
    "phone_gb_national": Kind(_national("GB"), "PHONE_NUMBER"),
    "cn_id": Kind(lambda rnd, fake, n: [_ric(rnd) for _ in range(n)], "CN_RESIDENT_ID"),
    "kr_rrn": Kind(lambda rnd, fake, n: [_rrn(rnd) for _ in range(n)], "KR_RRN"),
    "customer_key": Kind(key_like("C"), "INTERNAL_ID"),
    "account_key": Kind(key_like("AC-"), "INTERNAL_ID"),
    "user_uuid": Kind(uuid4, "INTERNAL_ID"),
    "notes_sparse_phones": Kind(notes_sparse_phones, "FREE_TEXT_PII", ("PHONE_NUMBER",)),
    "remark_sparse_ids": Kind(remark_sparse_ids, "FREE_TEXT_PII", ("CN_RESIDENT_ID",)),
    "json_blobs": Kind(json_blobs, "FREE_TEXT_PII", ("KR_RRN", "PHONE_NUMBER")),
    # decoys: imitate a type and fail its check, or look personal and are not
    "cbu_decoy": Kind(cbu_decoy, None),
    "iban_decoy": Kind(iban_decoy, None),
    "card_decoy": Kind(card_decoy, None),
    "imei_decoy": Kind(imei_decoy, None),
    "phone_decoy": Kind(phone_decoy, None),
    "ric_decoy": Kind(lambda rnd, fake, n: [_wrong(_ric(rnd), 17) for _ in range(n)], None),
    "rrn_decoy": Kind(lambda rnd, fake, n: [_wrong(_rrn(rnd), 12) for _ in range(n)], None),
    "aba_routing": Kind(_US(lambda f: f.aba()), None),
    "isbn": Kind(_US(lambda f: f.isbn13(separator="")), None),
    "user_agent": Kind(_US(lambda f: f.user_agent()), None),
    "company": Kind(_US(lambda f: f.company()), None),
    "job": Kind(_GB(lambda f: f.job()), None),
    "de_company": Kind(_DE(lambda f: f.company()), None),
    "jp_company": Kind(_JP(lambda f: f.company()), None),
    "city": Kind(_FR(lambda f: f.city()), None),
    "sentences": Kind(_US(lambda f: f.sentence()), None),
    "order_ref": Kind(order_ref, None),
    "amount_comma": Kind(amount_comma, None),
    "amount_dot": Kind(amount_dot, None),
    "created_at": Kind(created_at, None),
    "event_uuid": Kind(uuid4, None),
    "currency": Kind(_US(lambda f: f.currency_code()), None),
    "color": Kind(_FR(lambda f: f.color_name()), None),
}


@dataclass(frozen=True)
class Table:
    file: str
    fmt: str  # csv | parquet | jsonl
    rows: int
    columns: list[tuple[str, str]]
    separator: str = ","
    bom: bool = False
    junk: tuple[str, ...] = ("", "N/A")
    junk_share: tuple[float, float] = (0.02, 0.2)
    notes: str = field(default="")


TABLES: tuple[Table, ...] = (
    Table(
        "customers_uk.csv",
        "csv",
        3_000,
        [
            ("customer_id", "customer_key"),
            ("full_name", "gb_name"),
            ("phone", "gb_phone"),
            ("email", "gb_email"),
            ("address", "gb_address"),
            ("account_number", "gb_bban"),
            ("passport_no", "gb_passport"),
            ("order_ref", "order_ref"),
            ("amount", "amount_dot"),
            ("created_at", "created_at"),
            ("employer", "company"),
            ("job_title", "job"),
            ("browser", "user_agent"),
        ],
    ),
    Table(
        "kunden_de.csv",
        "csv",
        3_000,
        [
            ("Kundennummer", "customer_key"),
            ("Name", "de_name"),
            ("Telefon", "de_phone"),
            ("E-Mail", "de_email"),
            ("Anschrift", "de_address"),
            ("Kontonummer", "de_bban"),
            ("IBAN", "iban"),
            ("Geburtsdatum", "de_dob"),
            ("Betrag", "amount_comma"),
            ("Firma", "de_company"),
            ("Bestellung", "order_ref"),
        ],
        separator=";",
        junk=("", "k.A."),
    ),
    Table(
        "clients_fr.jsonl",
        "jsonl",
        3_000,
        [
            ("nom", "fr_name"),
            ("telephone", "fr_phone"),
            ("adresse", "fr_address"),
            ("date_naissance", "fr_dob"),
            ("ville", "city"),
            ("couleur", "color"),
            ("montant", "amount_dot"),
            ("telephone_it", "it_phone"),
            ("indirizzo", "it_address"),
        ],
        junk=("",),
    ),
    Table(
        "customers_us.jsonl",
        "jsonl",
        3_000,
        [
            ("user_id", "user_uuid"),
            ("name", "us_name"),
            ("phone", "us_phone"),
            ("mailing_address", "us_address_multiline"),
            ("passport_number", "us_passport"),
            ("account_no", "us_account"),
            ("routing_number", "aba_routing"),
            ("user_agent", "user_agent"),
            ("isbn", "isbn"),
            ("event_id", "event_uuid"),
            ("currency", "currency"),
        ],
        junk=("", "null"),
    ),
    Table(
        "顧客_jp.csv",
        "csv",
        3_000,
        [
            ("会員ID", "account_key"),
            ("氏名", "jp_name"),
            ("フリガナ", "jp_kana"),
            ("電話番号", "jp_phone"),
            ("住所", "jp_address"),
            ("生年月日", "jp_dob"),
            ("旅券番号", "jp_passport"),
            ("会社名", "jp_company"),
            ("金額", "amount_dot"),
        ],
        bom=True,
        junk=("", "なし"),
    ),
    Table(
        "cuentas_ar.csv",
        "csv",
        2_000,
        [
            ("titular", "ar_name"),
            ("cbu", "ar_cbu"),
            ("referencia", "cbu_decoy"),
            ("monto", "amount_dot"),
        ],
    ),
    Table(
        "phones_world.parquet",
        "parquet",
        4_000,
        [
            ("msisdn", "phone_intl"),
            ("tel_jp", "phone_jp_national"),
            ("tel_us", "phone_us_national"),
            ("tel_gb", "phone_gb_national"),
            ("dial_code", "phone_decoy"),
            ("여권번호", "kr_passport_2021"),
        ],
        junk=("",),
    ),
    Table(
        "checksums.csv",
        "csv",
        3_000,
        [
            ("col_a", "iban"),
            ("col_b", "iban_decoy"),
            ("col_c", "card"),
            ("col_d", "card_decoy"),
            ("col_e", "cn_id"),
            ("col_f", "ric_decoy"),
            ("col_g", "kr_rrn"),
            ("col_h", "rrn_decoy"),
            ("col_i", "imei_decoy"),
        ],
    ),
    Table(
        "support_notes.csv",
        "csv",
        20_000,
        [
            ("ticket", "order_ref"),
            ("notes", "notes_sparse_phones"),
            ("remark", "remark_sparse_ids"),
            ("attributes", "json_blobs"),
            ("summary", "sentences"),
            ("agent_browser", "user_agent"),
        ],
        junk=("",),
        junk_share=(0.0, 0.0),
    ),
)


def spec_digest() -> str:
    return hashlib.sha256((HERE / "foreign.py").read_bytes()).hexdigest()[:16]


def build(table: Table, index: int, seed: int) -> tuple[pl.DataFrame, list[float]]:
    columns: dict[str, pl.Series] = {}
    shares: list[float] = []
    for j, (header, kind) in enumerate(table.columns):
        rnd = random.Random(f"{seed}/{index}/{j}")
        fake = Faker("en_US")
        fake.seed_instance(rnd.getrandbits(32))
        values = pl.Series(header, KINDS[kind].make(rnd, fake, table.rows), dtype=pl.String)
        values = values.extend_constant(values[0], table.rows - len(values))  # card_decoy skips a few
        rng = np.random.default_rng([seed, index, j])
        share = float(rng.uniform(*table.junk_share))
        columns[header] = with_junk(values, rng, share, table.junk).alias(header)
        shares.append(round(share, 4))
    return pl.DataFrame(columns), shares


def write(frame: pl.DataFrame, table: Table, path: Path) -> None:
    """Writes the frame as set 1's writer does (:func:`bench.scan_eval.make_tables.write`)."""
    encoding = "utf-8-sig" if table.bom else "utf-8"
    as_set1 = tables.Table(
        table.file, table.fmt, table.rows, (), encoding=encoding, separator=table.separator
    )
    make_tables.write(frame, as_set1, path)


def generate(out: Path = DEFAULT_OUT, *, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    doc: dict[str, Any] = {"seed": seed, "spec": spec_digest(), "tables": []}
    for index, table in enumerate(TABLES):
        frame, shares = build(table, index, seed)
        write(frame, table, out / table.file)
        columns = [
            make_tables.column_label(header, kind, KINDS[kind].entity, KINDS[kind].contains, share)
            for (header, kind), share in zip(table.columns, shares, strict=True)
        ]
        doc["tables"].append(
            {"file": table.file, "format": table.fmt, "rows": frame.height, "columns": columns}
        )
    (out / LABELS).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return doc


def ensure(out: Path = DEFAULT_OUT, *, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The labels of the tables in ``out``, regenerating them when missing or made by other code."""
    path = out / LABELS
    if path.exists():
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        fresh = doc.get("spec") == spec_digest() and doc.get("seed") == seed
        if fresh and all((out / t["file"]).exists() for t in doc["tables"]):
            return doc
    return generate(out, seed=seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scan_eval.foreign", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    print(make_tables.summary(generate(args.out, seed=args.seed), args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
