"""What a Tryton build tells a person while it runs: one line per step, never minutes of silence.

A build takes minutes on a busy machine (module installation most of it). ``BuildProgress``
turns what the build's child processes print into lines such as::

    Tryton build [  41 s] modules: 9/19 installed (account)
    Tryton build [  97 s] demo data: customers done
    Tryton build [ 125 s] modules: still working (30 s since the last step)

and hands each to a ``report`` callable (stderr for the CLI, the terminal for the test suite).
How many modules a build installs is read from the ``tryton.cfg`` files of the installed
trytond, without importing it.
"""

from __future__ import annotations

import configparser
import importlib.util
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

Report = Callable[[str], None]

# trytond's log format ends with "<level> <logger> <message>"; "<module> load" starts a module.
_MODULE_LOADED = re.compile(r"\bINFO trytond\.modules (\w+) load$")
# demo_data prints "stage <name> <seconds>" when a stage of the demo data is done.
_DEMO_STAGE = re.compile(r"^stage (\w+) ([0-9.]+)$")
_ALWAYS = ("ir", "res")  # trytond activates these in every database


class BuildProgress:
    """The progress of one build: stages started and finished, modules installed so far."""

    def __init__(
        self,
        report: Report,
        modules_total: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        quiet_seconds: float = 15.0,
    ) -> None:
        self._report = report
        self._total = modules_total
        self._clock = clock
        self.quiet_seconds = quiet_seconds
        self._started = self._said = self._step = clock()
        self._installed = 0

    def _say(self, text: str, *, step: bool = True) -> None:
        now = self._clock()
        self._said = now
        if step:
            self._step = now
        self._report(f"Tryton build [{now - self._started:4.0f} s] {text}")

    def stage(self, name: str, what: str) -> None:
        """Stage ``name`` starts: ``what`` says what it does."""
        self._say(f"{name}: {what}")

    def output(self, stage: str, line: str) -> None:
        """A line the stage's child process printed; reported when it marks a step."""
        text = line.rstrip()
        if (loaded := _MODULE_LOADED.search(text)) is not None:
            self._installed += 1
            of = f"/{self._total}" if self._total else ""
            self._say(f"{stage}: {self._installed}{of} installed ({loaded.group(1)})")
        elif (done := _DEMO_STAGE.match(text)) is not None:
            self._say(f"{stage}: {done.group(1)} done in {float(done.group(2)):.0f} s")

    def alive(self, stage: str) -> None:
        """Called as the build runs: after ``quiet_seconds`` without a line, says it is still
        working (and again every ``quiet_seconds``)."""
        now = self._clock()
        if now - self._said >= self.quiet_seconds:
            since = now - self._step
            self._say(f"{stage}: still working ({since:.0f} s since the last step)", step=False)

    def finished(self, where: Path) -> None:
        self._say(f"done: {where}")


def modules_to_install(modules: Iterable[str]) -> int | None:
    """How many modules installing ``modules`` activates, dependencies included; None when
    trytond's module files cannot be read."""
    spec = importlib.util.find_spec("trytond")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    wanted: set[str] = set()
    todo = [*_ALWAYS, *modules]
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        cfg = root / "modules" / name / "tryton.cfg"
        if name in _ALWAYS:
            cfg = root / name / "tryton.cfg"
        parser = configparser.ConfigParser()
        if not parser.read(cfg, encoding="utf-8"):
            return None
        todo.extend(parser.get("tryton", "depends", fallback="").split())
    return len(wanted)
