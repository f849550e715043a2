"""Reversal plans on synthetic platform tables: decrypt and fpe restore the originals exactly across a key
rotation, tokens resolve against a reference only where it holds the original and only in their own
recipient's domain, one-way columns stay as they are, tampering and missing flags are clear errors."""

from __future__ import annotations

import base64
import pickle
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import InvalidFormat, UsageError
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.pipeline.protect import protect
from ringfence.policy import Policy, parse_policy
from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from ringfence.transform.reverse import ReversalTally, ReversePlan, plan_reversal, reveal_batches

CUSTOMER_POLICY = """
ringfence_policy: 1
name: partner-customers
unlisted: drop
columns:
  customer_id: {action: tokenize, scope: global}
  phone: {action: tokenize, entity: PHONE_NUMBER}
  email: {action: encrypt, entity: EMAIL_ADDRESS}
  national_id: {action: fpe}
  device_imei: {action: fpe, entity: IMEI, scope: global}
  name: {action: mask}
  address: drop
  gender: keep
  city: keep
"""

ENTITY_POLICY = """
ringfence_policy: 1
name: by-entity
unlisted: drop
columns:
  customer_id: keep
entities:
  PHONE_NUMBER: {action: tokenize, scope: global}
  EMAIL_ADDRESS: {action: encrypt}
  IMEI: {action: tokenize, scope: global, digest_bytes: 12}
"""

REVERSED = ["customer_id", "phone", "email", "national_id", "device_imei"]


@pytest.fixture(scope="module")
def customers() -> pl.DataFrame:
    return generate_platform(SynthConfig(customers=3_000, transactions=10, seed=11)).customers


@pytest.fixture(scope="module")
def policy() -> Policy:
    return parse_policy(CUSTOMER_POLICY, "customers.yaml")


def _protect(
    frame: pl.DataFrame, policy: Policy, keyset: Keyset, folder: Path, name: str, recipient: str | None
) -> pl.DataFrame:
    src, out = folder / f"{name}-in.parquet", folder / f"{name}.parquet"
    frame.write_parquet(src)
    protect(src, policy, out, keyset=keyset, recipient=recipient)
    return pl.read_parquet(out)


def _reveal(
    plan: ReversePlan, frame: pl.DataFrame, batch_rows: int = 700
) -> tuple[pl.DataFrame, ReversalTally]:
    tally = ReversalTally()
    batches = [frame.slice(i, batch_rows) for i in range(0, frame.height, batch_rows)]
    out = pl.concat(list(reveal_batches(plan, batches, tally)))
    return out, tally


def _reference(frame: pl.DataFrame, columns: list[str]) -> dict[str, pl.Series]:
    return {c: frame[c] for c in columns}


def test_rotation_decrypt_and_detokenize_restore_the_originals(
    customers: pl.DataFrame, policy: Policy, tmp_path: Path
) -> None:
    keyset = Keyset.generate()
    old_aead, old_hmac = keyset.primary_id("aead"), keyset.primary_id("hmac")
    first, second = customers.slice(0, 1_800), customers.slice(1_800)
    p1 = _protect(first, policy, keyset, tmp_path, "p1", "acme")
    new_aead, new_hmac = keyset.rotate("aead"), keyset.rotate("hmac")
    p2 = _protect(second, policy, keyset, tmp_path, "p2", "acme")

    # One table made of both runs: ciphertexts and tokens carry their key ids, so both generations reverse.
    both = pl.concat([p1, p2])
    plan = plan_reversal(
        policy,
        dict(both.schema),
        keyset=keyset,
        recipient="acme",
        decrypt=True,
        reference=_reference(customers, ["customer_id", "phone"]),
        columns=["customer_id", "phone", "email"],
    )
    out, tally = _reveal(plan, both)
    for column in ("customer_id", "phone", "email"):
        assert out[column].to_list() == customers[column].to_list(), column
        assert tally.resolved[column] == customers.height and tally.unresolved[column] == 0
    assert tally.key_ids["email"] == {old_aead, new_aead}
    assert tally.key_ids["phone"] == tally.key_ids["customer_id"] == {old_hmac, new_hmac}
    assert tally.rows == customers.height
    # Columns not asked for, and one-way ones, are left exactly as they were.
    assert out["national_id"].to_list() == both["national_id"].to_list()
    assert out["name"].to_list() == both["name"].to_list()
    assert {c.column: c.status for c in plan.columns}["name"] == "not reversible"
    assert {c.column: c.status for c in plan.columns}["address"] == "absent"

    # The older table alone: the IMEI's fpe key is found by validation (Luhn), the national ID's key is given.
    plan_old = plan_reversal(
        policy,
        dict(p1.schema),
        keyset=keyset,
        recipient="acme",
        decrypt=True,
        fpe_key_ids={"national_id": old_aead},
        sample=p1.head(2_000),
    )
    by_name = {c.column: c for c in plan_old.columns}
    assert (by_name["device_imei"].key_id, by_name["device_imei"].key_source) == (old_aead, "validity")
    assert (by_name["national_id"].key_id, by_name["national_id"].key_source) == (old_aead, "given")
    out_old, _ = _reveal(plan_old, p1)
    for column in ("email", "national_id", "device_imei"):
        assert out_old[column].to_list() == first[column].to_list(), column

    # Without the recorded key id, a national ID (no validator named) cannot have its key checked: FF1
    # under the new key would give other 18-digit numbers without an error, so the plan refuses the column
    # and names the flag and the key ids to choose from instead of guessing.
    with pytest.raises(UsageError, match="--fpe-key-id national_id=KEY") as refused:
        plan_reversal(
            policy, dict(p1.schema), keyset=keyset, recipient="acme", decrypt=True, sample=p1.head(2_000)
        )
    assert old_aead in str(refused.value) and new_aead in str(refused.value)
    # A wrong key given for a column whose entity validates (IMEI, Luhn) is refused, not decrypted.
    with pytest.raises(UsageError, match=r"'device_imei'.*does not decrypt to valid IMEI"):
        plan_reversal(
            policy,
            dict(p1.schema),
            keyset=keyset,
            recipient="acme",
            decrypt=True,
            fpe_key_ids={"national_id": old_aead, "device_imei": new_aead},
            sample=p1.head(2_000),
        )

    # The newer table: everything under the primary keys.
    plan_new = plan_reversal(
        policy,
        dict(p2.schema),
        keyset=keyset,
        recipient="acme",
        decrypt=True,
        reference=_reference(customers, ["customer_id", "phone"]),
        fpe_key_ids={"national_id": new_aead},
        sample=p2.head(2_000),
    )
    out_new, tally_new = _reveal(plan_new, p2)
    for column in REVERSED:
        assert out_new[column].to_list() == second[column].to_list(), column
    assert tally_new.key_ids["device_imei"] == tally_new.key_ids["national_id"] == {new_aead}


def test_tokens_resolve_only_where_the_reference_holds_the_original(
    customers: pl.DataFrame, policy: Policy, tmp_path: Path
) -> None:
    keyset = Keyset.generate()
    protected = _protect(customers, policy, keyset, tmp_path, "p", "acme")
    reference = customers.sample(fraction=0.6, seed=3)
    plan = plan_reversal(
        policy,
        dict(protected.schema),
        keyset=keyset,
        recipient="acme",
        reference=_reference(reference, ["customer_id", "phone"]),
    )
    out, tally = _reveal(plan, protected)
    known = customers["customer_id"].is_in(reference["customer_id"].implode())
    assert tally.resolved["customer_id"] == int(known.sum())
    assert tally.unresolved["customer_id"] == customers.height - int(known.sum())
    assert out.filter(known)["customer_id"].to_list() == customers.filter(known)["customer_id"].to_list()
    # Unresolved tokens stay exactly the tokens they were; no original leaks into them.
    assert out.filter(~known)["customer_id"].to_list() == protected.filter(~known)["customer_id"].to_list()
    assert out.filter(~known)["customer_id"].str.starts_with("rt1_").all()
    # Without --decrypt, encrypted columns are not touched.
    assert out["email"].to_list() == protected["email"].to_list()
    assert {c.column: c.status for c in plan.columns}["email"] == "not requested"


def test_a_large_reference_is_read_in_batches_and_only_the_needed_pairs_are_held(
    customers: pl.DataFrame, policy: Policy, tmp_path: Path
) -> None:
    """Resolving a few tokens against the whole customer base holds the pairs the table needs, not the
    reference (a table of 100M customers would not fit), and reads the reference once per column."""
    keyset = Keyset.generate()
    few = customers.sample(300, seed=5)
    protected = _protect(few, policy, keyset, tmp_path, "few", "acme")
    keyset.rotate("hmac")  # the tokens name the older key: still resolved
    reads: list[int] = []

    def reference_of(column: str) -> Callable[[], list[pl.Series]]:
        def batches() -> list[pl.Series]:
            reads.append(1)
            return [customers[column].slice(i, 500) for i in range(0, customers.height, 500)]

        return batches

    plan = plan_reversal(
        policy,
        dict(protected.schema),
        keyset=keyset,
        recipient="acme",
        reference={c: reference_of(c) for c in ("customer_id", "phone")},
    )
    plan.prepare(protected.slice(i, 100) for i in range(0, protected.height, 100))
    out, tally = _reveal(plan, protected, batch_rows=100)
    for column in ("customer_id", "phone"):
        assert out[column].to_list() == few[column].to_list(), column
        assert tally.resolved[column] == few.height and tally.unresolved[column] == 0
        resolver = {c.column: c.kernel for c in plan.reversing}[column]
        assert resolver.held <= few[column].n_unique() and resolver.passes == 1
    assert len(reads) == 2  # one pass over the reference per token column, whatever the batches


def test_recipient_scope_is_respected(customers: pl.DataFrame, policy: Policy, tmp_path: Path) -> None:
    keyset = Keyset.generate()
    protected = _protect(customers, policy, keyset, tmp_path, "acme", "acme")
    reference = _reference(customers, ["customer_id", "phone"])
    other = plan_reversal(
        policy, dict(protected.schema), keyset=keyset, recipient="beta", reference=reference
    )
    out, tally = _reveal(other, protected)
    # Recipient scope: acme's phone tokens do not resolve in beta's domain; global tokens resolve anyway.
    assert tally.resolved["phone"] == 0 and tally.unresolved["phone"] == customers.height
    assert out["phone"].to_list() == protected["phone"].to_list()
    assert tally.resolved["customer_id"] == customers.height
    own = plan_reversal(policy, dict(protected.schema), keyset=keyset, recipient="acme", reference=reference)
    out_own, tally_own = _reveal(own, protected)
    assert tally_own.resolved["phone"] == customers.height
    assert out_own["phone"].to_list() == customers["phone"].to_list()
    with pytest.raises(UsageError, match="--recipient"):
        plan_reversal(policy, dict(protected.schema), keyset=keyset, reference=reference)


def test_fpe_under_another_recipient_is_refused_not_decrypted_to_wrong_values(
    customers: pl.DataFrame, tmp_path: Path
) -> None:
    policy = parse_policy(
        """
ringfence_policy: 1
name: imei-per-recipient
unlisted: drop
columns:
  device_imei: {action: fpe, entity: IMEI}
""",
        "imei.yaml",
    )
    keyset = Keyset.generate()  # one aead key: the key is certain, the scope is not
    protected = _protect(customers.select("device_imei"), policy, keyset, tmp_path, "acme", "acme")
    schema, sample = dict(protected.schema), protected.head(2_000)
    with pytest.raises(UsageError, match=r"'device_imei'.*recipient:beta.*--recipient"):
        plan_reversal(policy, schema, keyset=keyset, recipient="beta", decrypt=True, sample=sample)
    plan = plan_reversal(policy, schema, keyset=keyset, recipient="acme", decrypt=True, sample=sample)
    out, _ = _reveal(plan, protected)
    assert out["device_imei"].to_list() == customers["device_imei"].to_list()


def test_entity_rule_columns_are_recognised_from_their_values(
    customers: pl.DataFrame, tmp_path: Path
) -> None:
    policy = parse_policy(ENTITY_POLICY, "entities.yaml")
    keyset = Keyset.generate()
    frame = customers.select("customer_id", "phone", "email", "device_imei")
    protected = _protect(frame, policy, keyset, tmp_path, "ent", None)
    assert protected["phone"].str.starts_with("rt1_").all()
    plan = plan_reversal(
        policy,
        dict(protected.schema),
        keyset=keyset,
        decrypt=True,
        reference=_reference(customers, ["phone", "device_imei"]),
        sample=protected.head(2_000),
    )
    out, tally = _reveal(plan, protected)
    for column in ("phone", "email", "device_imei"):
        assert out[column].to_list() == frame[column].to_list(), column
    assert tally.unresolved["phone"] == tally.unresolved["device_imei"] == 0


def test_tampered_ciphertext_names_the_column_not_the_value(
    customers: pl.DataFrame, policy: Policy, tmp_path: Path
) -> None:
    keyset = Keyset.generate()
    protected = _protect(customers, policy, keyset, tmp_path, "p", "acme")
    body = protected["email"][5]
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    tampered = protected.with_columns(
        pl.when(pl.int_range(pl.len()) == 5).then(pl.lit(flipped)).otherwise(pl.col("email")).alias("email")
    )
    plan = plan_reversal(policy, dict(tampered.schema), keyset=keyset, recipient="acme", decrypt=True)
    with pytest.raises(InvalidFormat) as caught:
        _reveal(plan, tampered)
    message = str(caught.value)
    assert "'email'" in message and "1 values fail authentication" in message
    assert flipped not in message and customers["email"][5] not in message


def test_explicit_flags_and_reversible_columns_are_required(
    customers: pl.DataFrame, policy: Policy, tmp_path: Path
) -> None:
    keyset = Keyset.generate()
    protected = _protect(customers.head(50), policy, keyset, tmp_path, "p", "acme")
    schema = dict(protected.schema)
    with pytest.raises(UsageError, match=r"--decrypt .*--detokenize-with"):
        plan_reversal(policy, schema, keyset=keyset, recipient="acme")
    with pytest.raises(UsageError, match=r"'name'.*mask"):
        plan_reversal(policy, schema, keyset=keyset, recipient="acme", decrypt=True, columns=["name"])
    with pytest.raises(UsageError, match="'nope'"):
        plan_reversal(policy, schema, keyset=keyset, recipient="acme", decrypt=True, columns=["nope"])
    with pytest.raises(UsageError, match="nothing to reverse"):
        plan_reversal(policy, {"city": pl.String}, keyset=keyset, decrypt=True)
    with pytest.raises(UsageError, match="--detokenize-with"):
        plan_reversal(policy, schema, keyset=keyset, recipient="acme", decrypt=True, columns=["phone"])


def test_plans_hold_no_key_bytes_and_refuse_pickling(
    customers: pl.DataFrame, policy: Policy, tmp_path: Path
) -> None:
    keyset = Keyset.generate()
    protected = _protect(customers.head(200), policy, keyset, tmp_path, "p", "acme")
    plan = plan_reversal(
        policy,
        dict(protected.schema),
        keyset=keyset,
        recipient="acme",
        decrypt=True,
        reference=_reference(customers, ["customer_id", "phone"]),
    )
    with pytest.raises(TypeError):
        pickle.dumps(plan)
    for column in plan.reversing:
        with pytest.raises(TypeError):
            pickle.dumps(column.kernel)
    shown = repr(plan) + str(plan.to_json()) + "".join(repr(c.kernel) for c in plan.reversing)
    for info in keyset.all_keys():
        raw = keyset.secret(info.key_id, SECRET_ACCESS)
        assert raw.hex() not in shown and base64.b64encode(raw).decode() not in shown


def test_derived_and_dropped_columns_are_reported_not_reversible() -> None:
    policy = parse_policy(
        """
ringfence_policy: 1
name: derived
unlisted: fail
columns:
  national_id: {action: derive, entity: CN_RESIDENT_ID, fields: [birth_year, gender]}
  email: {action: encrypt}
  name: drop
""",
        "derived.yaml",
    )
    schema = {"national_id_birth_year": pl.Int32, "national_id_gender": pl.String, "email": pl.String}
    plan = plan_reversal(policy, schema, keyset=Keyset.generate(), decrypt=True)
    statuses = {c.column: (c.action, c.status) for c in plan.columns}
    assert statuses == {
        "national_id_birth_year": ("derive", "not reversible"),
        "national_id_gender": ("derive", "not reversible"),
        "email": ("encrypt", "reverse"),
        "national_id": ("derive", "absent"),
        "name": ("drop", "absent"),
    }
    assert [c.column for c in plan.reversing] == ["email"]
