"""Copies of the template are independent databases; the template itself never changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from erp_sandbox.tryton import run_server
from erp_sandbox.tryton.build import ensure_database
from tests.integration.tryton_env.support import stamped_copy
from tests.tryton_env import RunningTryton, TrytonDatabase, TrytonRpc, copy_database


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _new_customer(rpc: TrytonRpc, name: str) -> int:
    (party_id,) = rpc.model("party.party", "create", [{"name": name}])
    return int(party_id)


def test_a_fresh_copy_is_independent_of_the_shared_server_and_the_template(
    tryton_template: TrytonDatabase, tryton_fresh: RunningTryton, tryton_rpc: TrytonRpc
) -> None:
    template_digest = _digest(tryton_template.path)
    with tryton_fresh.rpc() as fresh:
        _new_customer(fresh, "Only In The Fresh Copy")
        (quotation,) = fresh.search_read("sale.sale", [("reference", "=", "HIST-07")], ["id"])
        fresh.model("sale.sale", "confirm", [quotation["id"]])
        assert fresh.search_count("party.party", [("name", "=", "Only In The Fresh Copy")]) == 1
    assert tryton_rpc.search_count("party.party", [("name", "=", "Only In The Fresh Copy")]) == 0
    (shared,) = tryton_rpc.search_read("sale.sale", [("reference", "=", "HIST-07")], ["state"])
    assert shared["state"] == "quotation"
    assert _digest(tryton_template.path) == template_digest


def test_two_copies_do_not_see_each_other(
    tryton_template: TrytonDatabase, tryton_fresh: RunningTryton, tmp_path: Path
) -> None:
    other = copy_database(tryton_template, tmp_path / "other")
    assert other.path != tryton_fresh.db.path
    assert other.config_file != tryton_fresh.db.config_file
    assert str(other.path.parent) in other.config_file.read_text()
    with tryton_fresh.rpc() as fresh:
        _new_customer(fresh, "Written To The First Copy")
    with run_server(other) as second, second.rpc() as rpc:
        assert rpc.search_count("party.party", [("name", "=", "Written To The First Copy")]) == 0


def test_copying_a_database_onto_itself_is_refused(tryton_template: TrytonDatabase) -> None:
    with pytest.raises(ValueError, match="onto itself"):
        copy_database(tryton_template, tryton_template.directory)


def test_ensure_database_reuses_a_database_whose_stamp_matches(
    tryton_template: TrytonDatabase, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    copied = stamped_copy(tryton_template, data_dir)
    before = _digest(copied.path)
    reused = ensure_database(data_dir, admin_password=copied.admin_password)
    assert reused == copied
    assert _digest(reused.path) == before
