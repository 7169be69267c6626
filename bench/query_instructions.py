"""Instructions per reference query, counted by callgrind: a CPU figure the machine's load
does not move.

CPU seconds per query (``bench/query_cpu.py``) move by a third from run to run on a shared
virtual machine, more than most single changes are worth; the instructions the gateway
process executes for the same queries repeat within about 1%. In one run, for this checkout
and, with ``--against DIR``, another checkout of the gateway (an earlier commit, say: its
own code first on ``PYTHONPATH``, over this checkout's sandbox):

1. a SAP sandbox (its own process) is seeded with 20 orders beside the demo seed's 30 and
   a gateway is started over it under ``valgrind --tool=callgrind`` with instrumentation
   off (start-up is not counted);
2. after ``--warm-up`` reference queries, instrumentation is switched on for ``--queries``
   reference queries (each answer checked), then off, and the counts are dumped.

Printed: million instructions per query of each gateway and, with ``--against``, their
ratio. Instructions are not seconds (a cache miss costs no instruction), so this answers
"did a change do less work", ``query_cpu.py`` "how long did it take". The gateways read
one by one with the response cache off, as in ``query_cpu.py``; ``--plain-settings`` leaves
those two settings out of the other checkout's, for one from before they existed (which had
neither).

Needs valgrind (Debian's package ``valgrind``).

    .venv/bin/python bench/query_instructions.py [--queries 20] [--against DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
from _harness import PAGE, REFERENCE_QUERY, check_reference, sap_and_gateway, seed_orders

from experience_api.security.dev_keys import load_or_create_dev_key

UNCACHED = "batch = false\n[connections.cache]\nenabled = false\n"


def counted_instructions(out: Path) -> int:
    """The ``totals:`` of the dump asked for: part 1 of ``out`` (callgrind writes ``out``
    itself at exit, with instrumentation off)."""
    dump = out.with_name(f"{out.name}.1")
    if not dump.exists():
        raise RuntimeError("callgrind wrote no dump")
    for line in dump.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {dump}")


def control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args], check=True, capture_output=True, timeout=120)


async def instructions_per_query(
    work: Path, name: str, code: Path | None, settings: str, args: argparse.Namespace
) -> float:
    sandbox_dir = work / f"{name}-sap"
    seed_orders(sandbox_dir)
    out = work / f"{name}.callgrind"
    wrapper = ("valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}")
    with sap_and_gateway(
        work,
        sandbox_dir,
        name,
        settings,
        "warning",
        gateway_wrapper=wrapper,
        gateway_code=code,
    ) as served:
        pid = str(served.gateway_pid)
        token = load_or_create_dev_key(served.gateway_dir).issue(
            audience="erp-gateway", subject="bench", roles=("sales",), companies=("*",)
        )
        payload = {"query": REFERENCE_QUERY, "variables": {"first": PAGE}}
        async with httpx.AsyncClient(
            base_url=served.gateway, headers={"Authorization": f"Bearer {token}"}, timeout=600
        ) as client:
            for _ in range(args.warm_up):
                check_reference((await client.post("/graphql", json=payload)).json())
            control("--zero", pid)
            control("--instr=on", pid)
            for _ in range(args.queries):
                check_reference((await client.post("/graphql", json=payload)).json())
            control("--instr=off", pid)
            control("--dump", pid)
    return counted_instructions(out) / int(args.queries) / 1e6


async def run(args: argparse.Namespace, work: Path) -> dict[str, float]:
    figures = {"this checkout": await instructions_per_query(work, "this", None, UNCACHED, args)}
    if args.against is not None:
        settings = "" if args.plain_settings else UNCACHED
        figures[str(args.against)] = await instructions_per_query(
            work, "against", args.against, settings, args
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=20, help="queries counted")
    parser.add_argument("--warm-up", type=int, default=10, help="queries before counting")
    parser.add_argument("--against", type=Path, help="another checkout of the gateway")
    parser.add_argument(
        "--plain-settings",
        action="store_true",
        help="the --against checkout predates the batch and cache settings",
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        parser.error("valgrind is not installed (Debian: apt install valgrind)")
    if args.against is not None and not (args.against / "experience_api").is_dir():
        parser.error(f"{args.against} is not a checkout of the gateway")
    with tempfile.TemporaryDirectory(prefix="query-instructions-bench-") as work:
        figures = asyncio.run(run(args, Path(work)))
    print(f"{'M instructions per reference query':<40} {'':>8}")
    for label, value in figures.items():
        print(f"{label[:40]:<40} {value:>8.1f}")
    if args.against is not None:
        this, other = figures.values()
        print(f"ratio (this checkout / {args.against}): {this / other:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
