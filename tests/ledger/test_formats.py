"""The ledger's formats against published vectors and an independent verifier written from the specs:
RFC 6962/9162 tree heads and proofs (the Certificate Transparency test vectors), the Go sumdb/note
signed-note example byte for byte, and the ledger's own checkpoints opened with no ringfence code."""

from __future__ import annotations

import base64
import hashlib
import random

import polars as pl
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ringfence.errors import InvalidFormat
from ringfence.ledger import Entry, Ledger, merkle, note
from tests.ledger import spec_verifier as spec

# The Certificate Transparency reference leaves and the tree head of each size 0..8.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CT_CONSISTENCY = {
    (2, 8): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}

# golang.org/x/mod/sumdb/note's documented example: key, text and the exact signed note.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n\u2014 PeterNeumann "
    + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_tree_heads_match_the_ct_vectors() -> None:
    hashes = [merkle.leaf_hash(d) for d in CT_LEAVES]
    for n in range(9):
        assert merkle.root(hashes[:n]).hex() == CT_ROOTS[n]
        assert spec.mth(CT_LEAVES[:n]).hex() == CT_ROOTS[n]


def test_proofs_match_the_ct_vectors() -> None:
    hashes = [merkle.leaf_hash(d) for d in CT_LEAVES]
    for (i, n), want in CT_INCLUSION.items():
        assert [p.hex() for p in merkle.inclusion_proof(i, hashes[:n])] == want
        assert merkle.verify_inclusion(
            i, n, hashes[i], [bytes.fromhex(p) for p in want], bytes.fromhex(CT_ROOTS[n])
        )
    for (m, n), want in CT_CONSISTENCY.items():
        proof = merkle.consistency_proof(m, hashes[:n])
        assert [p.hex() for p in proof] == want
        old, new = bytes.fromhex(CT_ROOTS[m]), bytes.fromhex(CT_ROOTS[n])
        assert merkle.verify_consistency(m, n, old, new, proof)
        assert spec.consistent(m, n, old, new, proof)


def test_every_proof_agrees_with_the_rfc_and_mangled_ones_fail() -> None:
    hashes = [merkle.leaf_hash(bytes([i, i * 7 % 256])) for i in range(40)]
    roots = [merkle.root(hashes[:n]) for n in range(41)]
    for n in range(41):
        assert roots[n] == spec.mth_of_hashes(hashes[:n])
        for i in range(n):
            proof = merkle.inclusion_proof(i, hashes[:n])
            assert merkle.verify_inclusion(i, n, hashes[i], proof, roots[n])
            if proof:
                assert not merkle.verify_inclusion(i, n, hashes[i], proof[:-1], roots[n])
        for m in range(n + 1):
            proof = merkle.consistency_proof(m, hashes[:n])
            assert proof == (spec.subproof(m, hashes[:n], True) if 0 < m < n else [])
            assert merkle.verify_consistency(m, n, roots[m], roots[n], proof)
            if proof:
                bad = [bytes(32), *proof[1:]]
                assert not merkle.verify_consistency(m, n, roots[m], roots[n], bad)
                assert not spec.consistent(m, n, roots[m], roots[n], bad)
                assert not merkle.verify_consistency(m, n, roots[m], roots[n], proof[:-1])


def test_the_go_signed_note_example_byte_for_byte() -> None:
    seed = base64.b64decode(GO_SKEY.split("+", 4)[4])[1:]
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = note.public_bytes(private.public_key())
    assert note.verifier_key("PeterNeumann", public) == GO_VKEY
    kid = note.key_id("PeterNeumann", note.ED25519, public)
    signed = GO_TEXT + "\n" + note.signature_line("PeterNeumann", kid + private.sign(GO_TEXT.encode()))
    assert signed == GO_NOTE
    parsed = note.parse_signed_note(GO_NOTE)
    assert parsed.text == GO_TEXT and parsed.render() == GO_NOTE
    assert note.verify_note_signature(parsed, "PeterNeumann", public)
    assert not note.verify_note_signature(
        note.parse_signed_note(GO_NOTE.replace("problem,", "problem;")), "PeterNeumann", public
    )


@pytest.mark.parametrize(
    "text",
    [
        "o\n1\n",
        "o\n01\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "o\n1\nAAAA\n",
        "o\n1\n" + "A" * 44,
        "o\n1\n" + base64.b64encode(bytes(32)).decode() + "\nextension\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(InvalidFormat):
        note.parse_checkpoint(text)


def test_the_ledgers_checkpoint_opens_with_no_ringfence_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ringfence.keys import Keyset
    from ringfence.state import open_store

    ledger = Ledger(open_store(f"sqlite:///{tmp_path}/s.db"), Keyset.generate(), origin="example.com/ledger")
    rng = random.Random(7)
    for i in range(13):
        ledger.append(
            Entry("release", {"release_id": f"r{i}"}), pl.Series([str(rng.random()) for _ in range(5)])
        )
    signed = ledger.checkpoint()
    name, _, public = spec.parse_vkey(ledger.verifier_key())
    text = spec.open_note(signed, name, public)
    origin, size, root = spec.parse_checkpoint(text)
    assert (origin, size) == ("example.com/ledger", 13)
    assert root == spec.mth_of_hashes(ledger.leaf_hashes())
    rows = ledger.store.query("SELECT data FROM ledger_entries ORDER BY idx")
    assert root == spec.mth([str(r[0]).encode() for r in rows])  # the leaves are the entries' stored data
    for i in range(5):
        ledger.append(Entry("denied", {"n": i}))
    proof = ledger.consistency_proof(13)
    assert spec.consistent(13, 18, root, spec.mth_of_hashes(ledger.leaf_hashes()), proof)
    assert hashlib.sha256(b"").digest() == merkle.EMPTY_ROOT
