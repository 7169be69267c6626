"""Every ``erp-gateway`` command line in the sh blocks of README.md and docs/*.md is one the
CLI accepts as written: a synopsis's ``[optional]`` parts given, each ``a|b`` alternative
on its own. (Parsed only: nothing runs.)"""

from __future__ import annotations

import argparse
import shlex

import pytest

from experience_api.cli import parser
from tests.support.docs import blocks, documents


def _actions(command: str) -> set[str]:
    root = parser()
    for action in root._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub = action.choices[command]
            for nested in sub._actions:
                if isinstance(nested, argparse._SubParsersAction):
                    return set(nested.choices)
    return set()


def _command_lines() -> list[tuple[str, str]]:
    found = []
    for path in documents():
        for block in blocks(path, "sh"):
            for line in block.text.replace("\\\n", " ").splitlines():
                if line.strip().startswith("erp-gateway "):
                    found.append((block.name, line.strip()))
    return found


def _argvs(line: str) -> list[list[str]]:
    """The command lines a documented line stands for."""
    parts = [
        shlex.split(part, comments=True)
        for part in line.replace("[", " ").replace("]", " ").split("|")
    ]
    parts = [words[: words.index(">")] if ">" in words else words for words in parts]
    head = parts[0][1:]  # after erp-gateway
    argvs = [head]
    actions = _actions(head[0]) if head else set()
    for alternative in parts[1:]:
        prefix = head[:1] if alternative[0] in actions or not actions else head[:2]
        argvs.append([*prefix, *alternative])
    return argvs


LINES = _command_lines()


def test_the_documents_show_commands() -> None:
    assert len(LINES) > 30


@pytest.mark.parametrize(
    ("where", "line"), LINES, ids=[f"{where}:{text[:40]}" for where, text in LINES]
)
def test_each_documented_command_parses(where: str, line: str) -> None:
    for argv in _argvs(line):
        try:
            parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"{where}: the CLI refuses {' '.join(argv)!r} (from {line!r})")
