"""An independent verifier of the ledger's public formats, written from the specifications alone.

It imports nothing from ringfence: C2SP signed-note (signature lines, Ed25519 key ids, verifier keys),
C2SP tlog-checkpoint (origin, size, base64 root), C2SP tlog-cosignature (cosignature/v1) and RFC 9162
Merkle hashing and consistency proofs, implemented the recursive way the RFC describes them (the
ledger's own code is iterative), so the two agree only if both follow the texts.
"""

from __future__ import annotations

import base64
import hashlib
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

EM_DASH = "\u2014"


def mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH over entries (the raw leaf data)."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def mth_of_hashes(hashes: list[bytes]) -> bytes:
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth_of_hashes(hashes[:k]) + mth_of_hashes(hashes[k:])).digest()


def subproof(m: int, hashes: list[bytes], b: bool) -> list[bytes]:
    """RFC 9162 §2.1.4.1 SUBPROOF, literally."""
    n = len(hashes)
    if m == n:
        return [] if b else [mth_of_hashes(hashes)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*subproof(m, hashes[:k], b), mth_of_hashes(hashes[k:])]
    return [*subproof(m - k, hashes[k:], False), mth_of_hashes(hashes[:k])]


def consistent(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2, step by step as the RFC numbers them."""
    if old_size == new_size:
        return old_root == new_root and not proof
    if old_size == 0 or old_size > new_size:
        return old_size == 0 and not proof
    if old_size & (old_size - 1) == 0:
        proof = [old_root, *proof]
    if not proof:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = hashlib.sha256(b"\x01" + c + fr).digest()
            sr = hashlib.sha256(b"\x01" + c + sr).digest()
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = hashlib.sha256(b"\x01" + sr + c).digest()
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


def parse_vkey(vkey: str) -> tuple[str, bytes, bytes]:
    """C2SP signed-note verifier key ``name+hexid+base64(type||key)`` -> (name, key id, public key)."""
    name, kid_hex, b64 = vkey.split("+", 2)
    raw = base64.b64decode(b64, validate=True)
    assert raw[0] == 0x01 and len(raw) == 33, "an Ed25519 verifier key"
    kid = bytes.fromhex(kid_hex)
    assert hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4] == kid, "the key id"
    return name, kid, raw[1:]


def open_note(note: str, name: str, public: bytes) -> str:
    """Verifies a signed note under (name, Ed25519 public key) and returns its text; raises otherwise."""
    text, sep, sigs = note.rpartition("\n\n")
    assert sep and note.endswith("\n"), "a note has an empty line before its signatures"
    text += "\n"
    kid = hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
    for line in sigs.rstrip("\n").split("\n"):
        dash, signer, b64 = line.split(" ")
        assert dash == EM_DASH
        raw = base64.b64decode(b64, validate=True)
        if signer == name and raw[:4] == kid:
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], text.encode())
            except InvalidSignature:
                raise AssertionError("the note signature does not verify") from None
            return text
    raise AssertionError("no signature by the key")


def parse_checkpoint(text: str) -> tuple[str, int, bytes]:
    origin, size, root, rest = text.split("\n", 3)
    assert rest == "", "a checkpoint of three lines only"
    assert size == str(int(size)), "size in decimal without leading zeroes"
    raw = base64.b64decode(root, validate=True)
    assert len(raw) == 32
    return origin, int(size), raw


def open_cosignature(text: str, line: str, name: str, public: bytes) -> int:
    """Verifies one cosignature/v1 line on a checkpoint text; returns its timestamp."""
    dash, signer, b64 = line.rstrip("\n").split(" ")
    assert dash == EM_DASH and signer == name
    raw = base64.b64decode(b64, validate=True)
    assert raw[:4] == hashlib.sha256(name.encode() + b"\n\x04" + public).digest()[:4]
    (timestamp,) = struct.unpack(">Q", raw[4:12])
    message = b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + text.encode()
    Ed25519PublicKey.from_public_bytes(public).verify(raw[12:], message)
    return int(timestamp)
