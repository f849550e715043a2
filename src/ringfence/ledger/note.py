"""C2SP signed notes, checkpoints and cosignatures: the ledger head in the transparency ecosystem's formats.

- A **checkpoint** (C2SP ``tlog-checkpoint``) is the note text ``<origin>\\n<size>\\n<base64 root>\\n``:
  the origin line names the log, the size is ASCII decimal without leading zeroes, the root the RFC 9162
  SHA-256 tree head in standard base64. Nothing more (no extension lines).
- A **signed note** (C2SP ``signed-note``) is that text, an empty line, and one signature line per
  signer: ``— <key name> <base64(key id || signature)>\\n`` (U+2014, a space). An Ed25519 signature is
  over the note text; the key id is the first 4 bytes of ``SHA-256(key name || 0x0A || 0x01 || public
  key)``. The verifier key string is ``<name>+<hex key id>+<base64(0x01 || public key)>``.
- A **cosignature** (C2SP ``tlog-cosignature``, ``cosignature/v1``) by a witness signs
  ``cosignature/v1\\ntime <unix seconds>\\n`` followed by the checkpoint text; its signature bytes are
  ``key id || uint64 big-endian time || Ed25519 signature`` with the key id of signature type ``0x04``.

Parsing is strict: anything that is not exactly these formats is :class:`~ringfence.errors.InvalidFormat`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ringfence.errors import InvalidFormat

__all__ = [
    "Checkpoint",
    "NoteSignature",
    "SignedNote",
    "cosignature_message",
    "key_id",
    "parse_checkpoint",
    "parse_signed_note",
    "public_bytes",
    "signature_line",
    "verifier_key",
    "verify_cosignature",
    "verify_note_signature",
]

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014"
_SIZE = re.compile(r"^(0|[1-9][0-9]{0,19})$")
_NAME = re.compile(r"^[^\s+]+$")


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(name: str, alg: int, public: bytes) -> bytes:
    """The 4-byte key id of a note key: ``SHA-256(name || 0x0A || alg || public key)[:4]``."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public).digest()[:4]


def verifier_key(name: str, public: bytes) -> str:
    """The C2SP verifier key string of an Ed25519 note key."""
    kid = key_id(name, ED25519, public).hex()
    return f"{name}+{kid}+{base64.b64encode(bytes([ED25519]) + public).decode()}"


def signature_line(name: str, signature: bytes) -> str:
    """``— <name> <base64 signature>\\n`` (the signature bytes include the 4-byte key id)."""
    return f"{DASH} {name} {base64.b64encode(signature).decode()}\n"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes  # after the key id

    def line(self) -> str:
        return signature_line(self.name, self.key_id + self.signature)


@dataclass(frozen=True)
class SignedNote:
    text: str
    signatures: tuple[NoteSignature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise InvalidFormat(f"the {what} is not standard base64") from None


def parse_signature_lines(block: str) -> tuple[NoteSignature, ...]:
    """Signature lines ``— <name> <base64>\\n`` (each ending in a newline), at least one."""
    if not block.endswith("\n"):
        raise InvalidFormat("a note signature line must end in a newline")
    out = []
    for line in block[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or not _NAME.match(parts[1]):
            raise InvalidFormat("a note signature line must be '\u2014 <key name> <base64 signature>'")
        raw = _b64(parts[2], "note signature")
        if len(raw) < 5:
            raise InvalidFormat("a note signature is shorter than its key id")
        out.append(NoteSignature(parts[1], raw[:4], raw[4:]))
    return tuple(out)


def parse_signed_note(note: str) -> SignedNote:
    """Splits a signed note at its last empty line into text and signature lines."""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise InvalidFormat("not a signed note: no empty line before the signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    return SignedNote(text, parse_signature_lines(block))


def parse_checkpoint(text: str) -> Checkpoint:
    """The checkpoint of a note text: origin, size, root, and nothing more."""
    if not text.endswith("\n"):
        raise InvalidFormat("a checkpoint must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) != 3 or not lines[0] or not _SIZE.match(lines[1]):
        raise InvalidFormat("a checkpoint must be three lines: origin, size, base64 root hash")
    root = _b64(lines[2], "checkpoint root hash")
    if len(root) != 32:
        raise InvalidFormat("a checkpoint root hash must be 32 bytes (SHA-256)")
    return Checkpoint(lines[0], int(lines[1]), root)


def _ed25519_ok(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_note_signature(note: SignedNote, name: str, public: bytes) -> bool:
    """True when one of the note's signatures is a valid Ed25519 signature by key (name, public)."""
    kid = key_id(name, ED25519, public)
    return any(
        s.name == name and s.key_id == kid and _ed25519_ok(public, s.signature, note.text.encode())
        for s in note.signatures
    )


def cosignature_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def verify_cosignature(note: SignedNote, name: str, public: bytes) -> int | None:
    """The timestamp of a valid ``cosignature/v1`` by witness key (name, public) on the note, or None."""
    kid = key_id(name, COSIGNATURE_V1, public)
    for s in note.signatures:
        if s.name != name or s.key_id != kid or len(s.signature) != 8 + 64:
            continue
        (timestamp,) = struct.unpack(">Q", s.signature[:8])
        if _ed25519_ok(public, s.signature[8:], cosignature_message(note.text, timestamp)):
            return int(timestamp)
    return None
