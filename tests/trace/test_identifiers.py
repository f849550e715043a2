"""Identifiers in one normal form per kind: the same person's values written differently digest alike."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ringfence.detect.entities import phone
from ringfence.keys import Keyset
from ringfence.trace.identifiers import digest_values, domain, normalise
from ringfence.trace.reference import contains


def _one(values: list[str], kind: str) -> set[str | None]:
    return set(normalise(pl.Series("v", values), kind).to_list())


def test_one_phone_written_many_ways_is_one_e164_number() -> None:
    written = [
        "138 1234 5678",
        "+86 138-1234-5678",
        "0086 13812345678",
        "8613812345678",
        "１３８１２３４５６７８",
    ]
    assert _one(written, "PHONE_NUMBER") == {phone.e164("13812345678")} == {"+8613812345678"}
    assert _one(["010-1234-5678", "+82 10 1234 5678", "+82 010-1234-5678"], "PHONE_NUMBER") == {
        "+821012345678"
    }


def test_ids_emails_and_names_take_their_compact_forms() -> None:
    assert _one(["11010519491231002x", "110105 19491231 002X"], "CN_RESIDENT_ID") == {"11010519491231002X"}
    assert _one(["Kim.Minsu@Example.COM", " kim.minsu@example.com "], "EMAIL_ADDRESS") == {
        "kim.minsu@example.com"
    }
    assert _one(["Zhang  Wei", "ZHANG WEI", " zhang wei"], "PERSON_NAME") == {"zhang wei"}
    assert _one(["王 伟", "王伟", "王伟 "], "PERSON_NAME") == {"王伟"}
    # an invalid value has no normal form: it can match nothing
    assert _one(["11010519491231002", "not a mail"], "CN_RESIDENT_ID") == {None}


def test_digests_are_keyed_per_kind_and_membership_is_exact() -> None:
    keys = Keyset.generate()
    kid = keys.primary_id("hmac")
    values = pl.Series("v", ["+8613812345678", "+8613812345679"])
    as_phone = digest_values(keys.prf(kid, domain("PHONE_NUMBER")), values, "PHONE_NUMBER")
    as_mail = keys.prf(kid, domain("EMAIL_ADDRESS")).uint64(values).to_numpy()
    assert len(set(as_phone.tolist()) | set(as_mail.tolist())) == 4  # domains are unrelated
    other = Keyset.generate()
    assert not set(as_phone.tolist()) & set(
        digest_values(
            other.prf(other.primary_id("hmac"), domain("PHONE_NUMBER")), values, "PHONE_NUMBER"
        ).tolist()
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_contains_agrees_with_isin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    reference = np.unique(rng.integers(0, 2**63, 5_000, dtype=np.uint64) * np.uint64(2))
    words = np.concatenate([rng.choice(reference, 300), rng.integers(0, 2**63, 300, dtype=np.uint64)])
    words = np.concatenate([words, np.array([0, np.iinfo(np.uint64).max], dtype=np.uint64)])
    assert (contains(reference, words) == np.isin(words, reference)).all()
    assert not contains(np.zeros(0, dtype=np.uint64), words).any()
