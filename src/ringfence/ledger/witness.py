"""A client of C2SP ``tlog-witness`` witnesses: submit a checkpoint, keep the cosignatures.

:func:`add_checkpoint` POSTs to ``<submission prefix>/add-checkpoint`` a body of an ``old <size>`` line,
the RFC 9162 consistency proof from that size to the checkpoint's (one base64 hash a line, none when the
old size is 0), an empty line and the signed checkpoint. The old size is the largest this ledger has
kept a cosignature from that witness for, under the checkpoint's origin (0 at first).

Answers: 200 carries ``cosignature/v1`` signature lines; only those that verify under the witness's
key are kept (:meth:`Ledger.add_cosignatures`), and none verifying is a failure. 409 with
``text/x.tlog.size`` gives the size the witness last cosigned: the client retries once from it, unless it
is larger than the checkpoint (the log went back: a rollback or a fork, reported as such, and the
ledger starts a new origin so it never signs that size again under the old one). 400, 403, 404
and 422 are reported with what they mean in the protocol. Every failure is a
:class:`~ringfence.errors.CheckFailed` with a one-line message.
"""

from __future__ import annotations

import base64
import binascii
import urllib.error
import urllib.request
from dataclasses import dataclass

from ringfence.errors import CheckFailed, InvalidFormat, UsageError
from ringfence.ledger import note
from ringfence.ledger.ledger import Ledger

__all__ = ["Witness", "add_checkpoint", "request_body"]

_MEANING = {
    400: "refused the request as malformed (old size above the checkpoint's?)",
    403: "does not trust this ledger's signing key for its origin",
    404: "does not know this ledger's origin (register the origin and verifier key with it)",
    422: "found the consistency proof invalid: the log is not an extension of what it cosigned before",
}


@dataclass(frozen=True)
class Witness:
    """A witness: its submission prefix (``http(s)://host/prefix``), key name and Ed25519 public key."""

    url: str
    name: str
    public_key: bytes
    timeout: float = 10.0

    @classmethod
    def from_vkey(cls, url: str, vkey: str, timeout: float = 10.0) -> Witness:
        """From a C2SP verifier key ``name+hex id+base64(type || key)`` (type 0x04 or 0x01)."""
        try:
            name, _, encoded = vkey.split("+", 2)
            raw = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            raise InvalidFormat("the witness key is not a C2SP verifier key") from None
        if len(raw) != 33 or raw[0] not in (note.ED25519, note.COSIGNATURE_V1):
            raise InvalidFormat("the witness key is not an Ed25519 or cosignature/v1 verifier key")
        return cls(url.rstrip("/"), name, raw[1:], timeout)


def request_body(old_size: int, proof: list[bytes], signed_note: str) -> bytes:
    lines = [f"old {old_size}\n"] + [base64.b64encode(h).decode() + "\n" for h in proof]
    return ("".join(lines) + "\n" + signed_note).encode()


def _post(witness: Witness, body: bytes) -> tuple[int, str, str]:
    if not witness.url.startswith(("http://", "https://")):
        raise UsageError("a witness URL must be http:// or https://")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        witness.url + "/add-checkpoint", data=body, method="POST", headers={"Content-Type": "text/plain"}
    )
    try:
        with urllib.request.urlopen(request, timeout=witness.timeout) as response:  # noqa: S310
            return int(response.status), response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as answer:
        text = answer.read().decode("utf-8", "replace")
        return int(answer.code), answer.headers.get("Content-Type", ""), text
    except (urllib.error.URLError, OSError):
        raise CheckFailed(f"the witness {witness.name} at {witness.url} cannot be reached") from None


def add_checkpoint(ledger: Ledger, witness: Witness, signed_note: str | None = None) -> str:
    """Submits ``signed_note`` (default: a fresh checkpoint) to ``witness``; keeps the cosignatures that
    verify and returns the note with every kept cosignature."""
    text = signed_note if signed_note is not None else ledger.checkpoint()
    checkpoint = note.parse_checkpoint(note.parse_signed_note(text).text)
    old = min(ledger.witnessed_size(witness.name, checkpoint.origin), checkpoint.size)
    for attempt in range(2):
        proof = ledger.consistency_proof(old, checkpoint.size) if old else []
        status, content_type, answer = _post(witness, request_body(old, proof, text))
        if status == 200:
            return _keep(ledger, witness, text, answer)
        if status == 409 and content_type.startswith("text/x.tlog.size") and attempt == 0:
            try:
                theirs = int(answer.strip())
            except ValueError:
                raise CheckFailed(f"the witness {witness.name} answered 409 without a size") from None
            if theirs > checkpoint.size:
                reason = (
                    f"the witness {witness.name} has cosigned size {theirs} of {checkpoint.origin}, "
                    f"more than this checkpoint's {checkpoint.size}: the log was rolled back or forked"
                )
                if checkpoint.origin == ledger.origin():
                    new = ledger.start_new_origin(reason + "; a new origin starts")
                    reason += f"; the ledger starts the new origin {new} (register it with the witness)"
                raise CheckFailed(reason)
            old = theirs
            continue
        if status == 409:
            raise CheckFailed(
                f"the witness {witness.name} cosigned a different tree of size {old} under "
                f"{checkpoint.origin}: the log was forked"
            )
        meaning = _MEANING.get(status, f"answered HTTP {status}")
        raise CheckFailed(f"the witness {witness.name} {meaning}")
    raise CheckFailed(f"the witness {witness.name} kept answering 409")  # pragma: no cover


def _keep(ledger: Ledger, witness: Witness, text: str, answer: str) -> str:
    try:
        lines = note.parse_signature_lines(answer)
    except InvalidFormat:
        raise CheckFailed(f"the witness {witness.name} answered with no signature lines") from None
    cosigned = note.parse_signed_note(text)
    valid = [
        s.line()
        for s in lines
        if note.verify_cosignature(note.SignedNote(cosigned.text, (s,)), witness.name, witness.public_key)
        is not None
    ]
    if not valid:
        raise CheckFailed(f"no cosignature from the witness {witness.name} verifies under its key")
    ledger.add_cosignatures(text, witness.name, valid)
    return ledger.cosigned(text)
