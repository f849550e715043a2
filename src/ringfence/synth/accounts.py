"""The accounts table: the bank cards and accounts customers have bound to the platform.

Each customer has one to four; the bank is one of their country's, the card number sits under one of its
issuer prefixes (UnionPay 62, Visa 4, Mastercard 51-55 / 2221-2720) with a valid Luhn digit, and the account
number has the bank's length and prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ringfence.synth import ids
from ringfence.synth.commerce import BANKS
from ringfence.synth.customers import Population
from ringfence.synth.rand import (
    IntArray,
    choose_in_groups,
    datetimes,
    digit_strings,
    distinct_codes,
    pick,
    random_digits,
    stream,
    take,
    to_digits,
)

STREAM = 2
_DAY = 86_400
_CARDS_PER_CUSTOMER = (0.55, 0.30, 0.12, 0.03)  # one, two, three, four
_SPACED_SHARE = 0.25
_STATUSES = (("active", 93.0), ("frozen", 2.0), ("closed", 5.0))


@dataclass(frozen=True)
class Accounts:
    """The accounts table, grouped by customer: customer ``i`` owns ``count[i]`` rows from ``first[i]``."""

    frame: pl.DataFrame
    first: IntArray
    count: IntArray


def _brand(bin6: IntArray) -> pl.Series:
    """Card brand of each issuer prefix: UnionPay (62), Visa (4), otherwise Mastercard (51-55, 2221-2720)."""
    brand = np.where(bin6 // 10_000 == 62, 0, np.where(bin6 // 100_000 == 4, 1, 2))
    return take(("UnionPay", "Visa", "Mastercard"), brand)


def build_accounts(config_seed: int, population: Population) -> Accounts:
    """One to four bank cards/accounts per customer, grouped by customer in customer order."""
    rng = stream(config_seed, STREAM)
    customers = population.frame
    n_cust = customers.height
    count = pick(rng.random(n_cust), _CARDS_PER_CUSTOMER) + 1
    owner = np.repeat(np.arange(n_cust), count)
    first = np.cumsum(count) - count
    n = len(owner)
    korean = population.korean[owner]

    # Banks are listed Chinese first, then Korean: each country is one group of the bank list.
    bank_kr = np.array([b.country == "KR" for b in BANKS])
    bank_cum = np.cumsum([b.weight for b in BANKS])
    n_cn_banks = int((~bank_kr).sum())
    starts, ends = np.array([0, n_cn_banks]), np.array([n_cn_banks, len(BANKS)])
    bank = choose_in_groups(rng.random(n), korean.astype(np.int64), starts, ends, bank_cum)

    # Issuer prefixes per bank; UnionPay debit cards dominate in China, Visa/Mastercard in Korea.
    bin_bank = np.array([i for i, b in enumerate(BANKS) for _ in b.bins])
    bin_code = np.array([code for b in BANKS for code, _ in b.bins], dtype=np.int64)
    bin_len = np.array([length for b in BANKS for _, length in b.bins], dtype=np.int64)
    bin_weight = np.where(bin_code // 10_000 == 62, np.where(bank_kr[bin_bank], 0.3, 4.0), 1.0)
    bin_counts = np.bincount(bin_bank, minlength=len(BANKS))
    bin_ends = np.cumsum(bin_counts)
    chosen = choose_in_groups(rng.random(n), bank, bin_ends - bin_counts, bin_ends, np.cumsum(bin_weight))
    cards = ids.card_numbers(rng, bin_code[chosen], bin_len[chosen], rng.random(n) < _SPACED_SHARE)

    # Account numbers: the bank's prefix, then random digits up to the bank's length.
    acct_len = np.array([b.account_length for b in BANKS])[bank]
    prefix = take([b.account_prefix for b in BANKS], bank)
    digits = random_digits(rng, n, int(acct_len.max()))
    digits[:, 0] = rng.integers(1, 10, n)
    body_len = acct_len - prefix.str.len_chars().to_numpy()
    bank_account = prefix + digit_strings(digits).str.slice(0, pl.Series(body_len))

    # Opened between the 18th birthday (or 2005) and shortly after joining the platform.
    birth_day = customers["birth_date"].cast(pl.Int32).to_numpy().astype(np.int64)[owner]
    joined = population.registered[owner] // _DAY
    earliest = np.maximum(birth_day + 6575, 12_784)  # 18 years; 2005-01-01
    opened_day = earliest + (rng.random(n) * np.maximum(joined + 30 - earliest, 1)).astype(np.int64)
    opened = opened_day * _DAY + rng.integers(9 * 3600, 17 * 3600, n)
    frame = pl.DataFrame(
        {
            "account_id": "A" + digit_strings(to_digits(distinct_codes(rng, n, 12), 12)),
            "customer_id": customers["customer_id"].gather(owner),
            "card_number": cards,
            "card_brand": _brand(bin_code[chosen]),
            "bank_name": take([b.name for b in BANKS], bank),
            "bank_account": bank_account,
            "opened_at": datetimes(opened),
            "status": take([s for s, _ in _STATUSES], pick(rng.random(n), [w for _, w in _STATUSES])),
        }
    )
    return Accounts(frame=frame, first=first, count=count)
