"""Builders shared by the transfer tests: a request from a scenario row, with the house defaults."""

from __future__ import annotations

from typing import Any

from ringfence.transfer import Recipient, TransferRequest

CONTROLLER = {"KR": "KR", "CN": "CN", "EU": "DE"}


def request_of(row: dict[str, Any]) -> TransferRequest:
    controller = row.get("controller", CONTROLLER.get(row["j"], "KR"))
    to = row.get("to", {})
    recipient = Recipient(
        id=to.get("id", "partner"),
        country=to.get("c", controller),
        role=to.get("role", "third-party"),
        purposes=tuple(to.get("for", ())),
        affiliate_of=to.get("aff"),
    )
    return TransferRequest(
        jurisdiction=row["j"],
        controller_country=controller,
        recipient=recipient,
        purpose=row["purpose"],
        categories=frozenset(row.get("cat", ())),
        pseudonymised=row.get("pseudo", False),
        credit_information=row.get("credit", False),
        mechanism=row.get("mech"),
    )
