"""The README's command list is the CLI's: every subcommand of the table in
experience_api/cli.py, and every action of those that have actions, is listed under
"Command line", and the list names nothing the CLI does not have."""

from __future__ import annotations

import argparse
import re

from experience_api.cli import SUBCOMMANDS, parser
from tests.support.docs import ROOT, blocks, section


def _choices(command: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _listed() -> dict[str, set[str]]:
    """Each ``erp-gateway NAME ...`` line of the section's first sh block: NAME → its words."""
    text = section(ROOT / "README.md", "Command line")
    (block, *_) = (b for b in blocks(ROOT / "README.md", "sh") if b.text in text)
    listed: dict[str, set[str]] = {}
    for line in block.text.splitlines():
        command = line.split("#", 1)[0]
        words = re.split(r"[\s|\[\]]+", command.strip())
        assert words[0] == "erp-gateway", f"not a command line: {line!r}"
        listed.setdefault(words[1], set()).update(words[2:])
    return listed


def test_every_subcommand_and_action_is_listed_in_the_readme() -> None:
    listed = _listed()
    commands = _choices(parser())
    assert set(commands) == {command.name for command in SUBCOMMANDS}

    assert sorted(set(commands) - set(listed)) == [], "subcommands missing from the README"
    assert sorted(set(listed) - set(commands)) == [], "the README lists unknown subcommands"
    missing = {
        name: sorted(set(_choices(command)) - listed[name])
        for name, command in commands.items()
        if set(_choices(command)) - listed[name]
    }
    assert missing == {}, "actions missing from the README's command list"
