"""``--follow``: tail growing logs and raise alerts as they happen.

Each poll reads only what was appended since the last (:class:`~ringfence.watch.parse.LogReader` keeps
its byte offset; a record that may still be continuing waits for the next poll), adds the new statements'
exposure to what was read before, and analyses again: the statistics are per user-day, so an alert fires
at the first poll after the day's reading crosses the threshold, within the same hour as the reads. An
alert already raised for that user, kind and day is not raised again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ringfence.watch.detect import Alert, WatchConfig
from ringfence.watch.inventory import PersonalTables
from ringfence.watch.parse import Format, open_log
from ringfence.watch.run import CanaryMatcher, Exposure, WatchResult, analyse


def follow(
    paths: list[Path],
    personal: PersonalTables,
    *,
    fmt: Format | None = None,
    config: WatchConfig | None = None,
    canaries: CanaryMatcher | None = None,
    interval: float = 1.0,
    stop: Callable[[], bool] = lambda: False,
) -> Iterator[tuple[list[Alert], WatchResult]]:
    """After each poll that read something: the new alerts and the whole result so far."""
    readers = [open_log(p, fmt) for p in paths]
    exposure = Exposure(personal, canaries)
    raised: set[tuple[str, str, str]] = set()
    while True:
        before = (exposure.features.height, exposure.malformed)
        for reader in readers:
            for block in reader.read(final=False):
                exposure.add(block)
        if (exposure.features.height, exposure.malformed) != before:
            result = analyse(exposure, config)
            new = [a for a in result.alerts if (a.user, a.kind, a.window[0][:10]) not in raised]
            raised.update((a.user, a.kind, a.window[0][:10]) for a in new)
            yield new, result
        if stop():
            return
        time.sleep(interval)
