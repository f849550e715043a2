"""A zero-width or otherwise invisible ``--reason`` is no reason (audit, issue 9)."""

from __future__ import annotations

import pytest

from ringfence.errors import UsageError
from ringfence.state.reversals import check_reason


@pytest.mark.parametrize("reason", ["\u200b", " \u200b\u200c\u200d\ufeff ", "\u2060\u200e"])
def test_an_invisible_reason_is_no_reason(reason: str) -> None:
    with pytest.raises(UsageError, match="needs a reason"):
        check_reason(reason)
    assert check_reason(" ticket 9 ") == "ticket 9"
