"""``erp-gateway quarantine replay --all`` shows where it stands on one line of stderr,
rewritten in place: records done of how many, the counts so far, the ERP waited on."""

from __future__ import annotations

import io

from experience_api.quarantine_command import ReplayProgressLine
from process_apis.quarantine.review import ReplayProgress


def test_the_line_is_rewritten_in_place_and_ends_the_run_with_a_newline() -> None:
    stream = io.StringIO()
    line = ReplayProgressLine(stream)

    line(ReplayProgress(0, 40, 0, 0, 0, waiting_on="EU01", wait_seconds=4))
    line(ReplayProgress(1, 40, 1, 0, 0))
    line.done()

    waiting = "replay: 0/40 records (replayed 0, failed 0, skipped 0), waiting 4 s on EU01"
    after = "replay: 1/40 records (replayed 1, failed 0, skipped 0)"
    # The shorter line is padded over what the longer one left on the terminal.
    assert stream.getvalue() == f"\r{waiting}\r{after.ljust(len(waiting))}\n"


def test_a_run_with_nothing_to_replay_prints_nothing() -> None:
    stream = io.StringIO()

    ReplayProgressLine(stream).done()

    assert stream.getvalue() == ""
