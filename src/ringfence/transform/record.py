"""The plan record: what ``protect`` seals into a Parquet output's footer, and what ``reveal`` rebuilds its
reversal from.

What it guarantees:

- It holds names, actions, parameters and key ids only: never key bytes, never a data value.
- It is sealed for the key holder alone (:func:`ringfence.transform.encrypt.seal_record`, bound to the
  label :data:`PLAN_METADATA_KEY`): the recipient sees an opaque string, and a record that does not open
  under the workspace's keys (altered, or from another workspace) is refused, never half-trusted.
- It is typed and strict (:class:`PlanRecord`): a record that opens but whose fields are missing, of the
  wrong type or carry a malformed key id is refused as malformed. Records written by earlier versions
  (the same fields) open unchanged.
- It is bound to its file: it carries the SHA-256 of the file's data pages (:attr:`PlanRecord.data_sha256`,
  sealed with it), so a record copied onto another file's footer is refused by reveal. Records sealed
  before the binding existed carry none and are accepted as they are.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ringfence.errors import InputError, InvalidFormat, KeyAccessError
from ringfence.keys import Keyset
from ringfence.transform.encrypt import open_record, seal_record

__all__ = ["PLAN_METADATA_KEY", "ColumnRecord", "PlanRecord"]

# The footer key of a protected Parquet file that holds its sealed plan record.
PLAN_METADATA_KEY = "ringfence.protect"

KeyIdText = Annotated[str, Field(pattern=r"^[0-9a-f]{8}$")]


class ColumnRecord(BaseModel):
    """One input column: its action, entity, guarantees, outputs, parameters and key id."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    column: str
    action: str
    entity: str | None = None
    reversible: bool
    joinable: bool
    outputs: list[str]
    key_id: KeyIdText | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class PlanRecord(BaseModel):
    """A whole plan as recorded (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    policy: str
    policy_hash: str
    recipient: str | None = None
    columns: list[ColumnRecord]
    output_columns: list[str]
    key_ids: list[KeyIdText]
    # SHA-256 of the file's bytes before its footer (every data page): binds the record to the data it
    # describes. Records sealed before the binding existed carry none.
    data_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None

    def column(self, name: str) -> ColumnRecord | None:
        """The record of the input column ``name`` (None when the plan had no such column)."""
        return next((c for c in self.columns if c.column == name), None)

    def by_output(self) -> dict[str, ColumnRecord]:
        """Output column → the record of the input column it came from."""
        return {out: c for c in self.columns for out in c.outputs}

    def to_text(self) -> str:
        """The record as JSON text with sorted keys (equal records give equal text)."""
        return json.dumps(self.model_dump(mode="python"), sort_keys=True, ensure_ascii=False, default=str)

    def seal(self, keyset: Keyset) -> dict[str, str]:
        """The Parquet footer entries that carry this record, sealed for the key holder."""
        return {PLAN_METADATA_KEY: seal_record(keyset, self.to_text(), PLAN_METADATA_KEY)}

    def bound_sealer(self, keyset: Keyset) -> Callable[[str], dict[str, str]]:
        """The footer entries as a function of the file's data-pages digest
        (:func:`ringfence.io.write.write_table` calls it once the data is written): the sealed record
        then vouches for that data only."""

        def sealed(data_sha256: str) -> dict[str, str]:
            return self.model_copy(update={"data_sha256": data_sha256}).seal(keyset)

        return sealed

    @classmethod
    def open(cls, keyset: Keyset, sealed: str, source_name: str) -> PlanRecord:
        """The record sealed in a footer; an :class:`InputError` naming ``source_name`` when it does not
        open under ``keyset`` or is malformed."""
        try:
            text = open_record(keyset, sealed, PLAN_METADATA_KEY)
        except (InvalidFormat, KeyAccessError, ValueError):
            raise InputError(
                f"{source_name}: the protect plan in its Parquet footer does not open under this "
                "workspace's keys (altered, or protected by another workspace)"
            ) from None
        try:
            return cls.model_validate_json(text)
        except (ValidationError, ValueError):
            raise InputError(f"{source_name}: the protect plan in its Parquet footer is malformed") from None
