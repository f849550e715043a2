"""A plan that travels: built here, shipped as JSON, rebuilt in a fresh process by key id, the same bytes
come out, also after the keys were rotated in between; no key bytes in the spec."""

from __future__ import annotations

import base64
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

from ringfence.errors import InputError, KeyAccessError
from ringfence.keys import SECRET_ACCESS, Keyset
from ringfence.policy import parse_policy
from ringfence.synth.config import SynthConfig
from ringfence.synth.platform import generate_platform
from ringfence.transform.base import TransformContext
from ringfence.transform.plan import build_plan
from ringfence.transform.spec import PlanSpec

POLICY = """
ringfence_policy: 1
name: travelling
unlisted: keep
columns:
  customer_id: {action: tokenize, scope: global}
  phone: {action: tokenize, scope: recipient, entity: PHONE_NUMBER}
  national_id: {action: derive, entity: CN_RESIDENT_ID, fields: [birth_year, gender]}
  email: {action: mask, entity: EMAIL_ADDRESS}
  name: redact
  registered_at: {action: date_shift, subject: customer_id, max_days: 10}
entities:
  IMEI: {action: fpe, scope: global}
"""

CHILD = textwrap.dedent(
    """
    import sys
    import polars as pl
    from ringfence.keys import Keyset
    from ringfence.transform.spec import PlanSpec

    keyset_path, spec_path, source, out = sys.argv[1:5]
    spec = PlanSpec.from_json(open(spec_path, encoding="utf-8").read())
    plan = spec.build(Keyset.load(keyset_path), threads=1)
    frame = pl.read_parquet(source).select(plan.exprs())
    assert frame.schema == spec.output_schema, (frame.schema, spec.output_schema)
    frame.write_parquet(out)
    """
)


@pytest.fixture(scope="module")
def customers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    platform = generate_platform(SynthConfig(customers=2_000, transactions=10, seed=5, locale="cn"))
    path = tmp_path_factory.mktemp("spec") / "customers.parquet"
    platform.customers.write_parquet(path)
    return path


def _entities(frame: pl.DataFrame) -> dict[str, str | None]:
    return {"device_imei": "IMEI"} if "device_imei" in frame.columns else {}


def _key_texts(keyset: Keyset) -> list[str]:
    raw = [keyset.secret(i.key_id, SECRET_ACCESS) for i in keyset.all_keys()]
    return [b.hex() for b in raw] + [base64.b64encode(b).decode() for b in raw]


def test_a_spec_rebuilt_in_a_fresh_process_after_a_rotation_gives_the_same_bytes(
    customers: Path, tmp_path: Path
) -> None:
    keyset = Keyset.generate()
    frame = pl.read_parquet(customers)
    policy = parse_policy(POLICY)
    plan = build_plan(policy, frame.schema, _entities(frame), TransformContext(keys=keyset, recipient="acme"))
    spec = PlanSpec.of(plan, policy)
    text = spec.to_json()
    assert not any(secret in text for secret in _key_texts(keyset))
    assert spec.output_schema == plan.output_schema
    assert sorted(set(spec.key_ids.values())) == plan.key_ids()
    pickle.loads(pickle.dumps(spec))  # the spec travels; the plan does not
    with pytest.raises(TypeError):
        pickle.dumps(plan)

    local = tmp_path / "local.parquet"
    frame.select(plan.exprs()).write_parquet(local)
    old_ids = plan.key_ids()
    keyset.rotate("hmac")
    keyset.rotate("aead")  # a rotation between the spec and the run must change nothing
    keyset_path, spec_path, child = (
        tmp_path / "keyset.json",
        tmp_path / "spec.json",
        tmp_path / "child.parquet",
    )
    keyset.save(keyset_path)
    spec_path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(keyset_path), str(spec_path), str(customers), str(child)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert child.read_bytes() == local.read_bytes()

    # Rebuilt without its pins, the plan would take the new primary keys: other tokens.
    fresh = build_plan(
        policy, frame.schema, _entities(frame), TransformContext(keys=keyset, recipient="acme")
    )
    assert fresh.key_ids() != old_ids
    assert not frame.select(fresh.exprs())["phone"].equals(pl.read_parquet(local)["phone"])


def test_a_spec_that_does_not_fit_is_refused_before_any_data(customers: Path) -> None:
    keyset = Keyset.generate()
    frame = pl.read_parquet(customers)
    policy = parse_policy(POLICY)
    spec = PlanSpec.of(
        build_plan(policy, frame.schema, _entities(frame), TransformContext(keys=keyset, recipient="acme")),
        policy,
    )
    with pytest.raises(InputError, match="does not match its hash"):  # a policy edited on the way
        spec.model_copy(update={"policy_hash": "sha256:" + "0" * 64}).build(keyset)
    with pytest.raises(InputError, match="not a ringfence plan spec"):
        PlanSpec.from_json('{"format": "ringfence.plan-spec/9"}')
    with pytest.raises(KeyAccessError):  # another workspace's keys do not hold the pinned ids
        spec.build(Keyset.generate())
