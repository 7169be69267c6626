"""A Tryton build says what it is doing while it runs: stages, elapsed time, modules installed
out of how many, demo-data stages done, and that it is still alive when a step is long."""

from __future__ import annotations

import sys

import pytest

from erp_sandbox.tryton import build
from erp_sandbox.tryton.progress import BuildProgress, modules_to_install
from tests.tryton_env import require_tryton


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_module_loads_and_demo_stages_become_numbered_lines() -> None:
    lines: list[str] = []
    clock = Clock()
    progress = BuildProgress(lines.append, modules_total=13, clock=clock)

    progress.stage("modules", "installing sale")
    clock.now += 12
    progress.output("modules", "4242 1402 [2026-12-03 13:00:00,001] INFO trytond.modules ir load")
    progress.output("modules", "4242 1402 [...] INFO trytond.modules ir load ir.xml")
    progress.output("modules", "4242 1402 [...] INFO trytond.modules ir register Model")
    clock.now += 30
    progress.output("modules", "4242 1402 [...] INFO trytond.modules res load\n")
    progress.output("demo data", "stage customers 17.52")
    clock.now += 14
    progress.output("demo data", "4242 1402 [...] INFO trytond.modules stock register Move")
    progress.alive("demo data")  # 14 s: not yet
    clock.now += 2
    progress.alive("demo data")
    clock.now += 5
    progress.alive("demo data")  # said 5 s ago
    clock.now += 10
    progress.alive("demo data")

    assert lines == [
        "Tryton build [   0 s] modules: installing sale",
        "Tryton build [  12 s] modules: 1/13 installed (ir)",
        "Tryton build [  42 s] modules: 2/13 installed (res)",
        "Tryton build [  42 s] demo data: customers done in 18 s",
        "Tryton build [  58 s] demo data: still working (16 s since the last step)",
        "Tryton build [  73 s] demo data: still working (31 s since the last step)",
    ]


def test_without_a_module_count_the_installed_ones_are_counted_alone() -> None:
    lines: list[str] = []
    progress = BuildProgress(lines.append, clock=Clock())

    progress.output("modules", "1 2 [t] INFO trytond.modules party load")

    assert lines == ["Tryton build [   0 s] modules: 1 installed (party)"]


def test_the_count_is_every_module_the_sandbox_activates() -> None:
    require_tryton()

    total = modules_to_install(build.MODULES)

    # ir, res, country, currency, party, company, product, account, account_product,
    # account_invoice, stock, account_invoice_stock, sale
    assert total == 13
    assert "trytond" not in sys.modules  # counted from the module files, never imported


def test_a_silent_step_is_reported_as_still_working() -> None:
    lines: list[str] = []
    child = "import time; print('stage company 1.0', flush=True); time.sleep(0.5); print('end')"

    output = build._run(
        "demo_data",
        [sys.executable, "-c", child],
        {},
        30.0,
        BuildProgress(lines.append, quiet_seconds=0.05),
    )

    assert output == "stage company 1.0\nend\n"
    done = [n for n, line in enumerate(lines) if line.endswith("demo data: company done in 1 s")]
    assert len(done) == 1
    # The half second of silence after the stage is reported, not waited out without a word.
    assert any("demo data: still working (" in line for line in lines[done[0] :])


def test_a_failing_step_raises_with_the_end_of_its_output() -> None:
    child = "import sys; print('boom at step 3'); sys.exit(4)"

    with pytest.raises(build.TrytonBuildError) as raised:
        build._run("modules", [sys.executable, "-c", child], {}, 30.0, BuildProgress(print))

    assert raised.value.stage == "modules"
    assert "exit status 4" in str(raised.value)
    assert raised.value.output == "boom at step 3"
