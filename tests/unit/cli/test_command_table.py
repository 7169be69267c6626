"""``erp-gateway`` dispatches through its subcommand table, and every command that works on
a gateway's settings or state reads them through the same ``--config``/``--data-dir``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from experience_api.cli import SUBCOMMANDS, main
from experience_api.command_support import Subcommand, add_state_options, load

STATE_COMMANDS = [
    ["serve"],
    ["quarantine", "list"],
    ["audit", "tail"],
    ["capture", "status"],
    ["events", "status"],
    ["token", "--role", "sales", "--company", "EU01"],
    ["webhooks", "list"],
    ["mcp"],
    ["export", "customers"],
]


@pytest.mark.parametrize("argv", STATE_COMMANDS, ids=lambda argv: " ".join(argv))
def test_every_state_command_refuses_a_missing_configuration_file_alike(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.toml"
    data_dir = tmp_path / "data"

    code = main([*argv, "--config", str(missing), "--data-dir", str(data_dir)])

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("erp-gateway: invalid configuration:")
    assert f"configuration file not found: {missing}" in err
    assert not data_dir.exists()


def test_the_table_lists_each_command_once() -> None:
    names = [command.name for command in SUBCOMMANDS]
    assert len(names) == len(set(names))
    documented = {"serve", "sandbox", "export-schema", "quarantine", "audit", "capture"}
    documented |= {"events", "token", "webhooks", "persisted-ops", "mcp", "export"}
    assert documented <= set(names)


def test_a_new_row_is_a_new_command_with_the_shared_state_options(tmp_path: Path) -> None:
    seen: list[Path] = []

    def run(args: argparse.Namespace) -> int:
        settings = load(args)
        assert settings is not None
        seen.append(settings.data_dir)
        return 7

    toy = Subcommand(name="toy", help="a command of the test", arguments=add_state_options, run=run)

    code = main(["toy", "--data-dir", str(tmp_path)], subcommands=(*SUBCOMMANDS, toy))

    assert code == 7
    assert seen == [tmp_path]


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["toy"])
    assert exit_.value.code == 2
    assert "invalid choice: 'toy'" in capsys.readouterr().err
