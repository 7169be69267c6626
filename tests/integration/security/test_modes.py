"""Local mode (development key, tokenless local developer) against production mode (tokens
from the configured issuer only, the development key refused everywhere)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from experience_api.app import create_app
from experience_api.cli import main
from experience_api.security.config import AuthSettings
from experience_api.security.dev_keys import KEY_FILE, load_or_create_dev_key
from experience_api.settings import Settings
from tests.integration.security.issuer import Issuer
from tests.integration.security.support import CUSTOMERS, challenge, running

QUARANTINE = "{ quarantine(first: 1) { totalCount } }"


def _production(tmp_path: Path, issuer: Issuer, jwks: Path | None = None) -> Settings:
    return Settings(
        data_dir=tmp_path,
        mode="production",
        auth=AuthSettings(
            issuer=issuer.issuer, jwks_file=jwks or issuer.write_jwks(tmp_path / "jwks.json")
        ),
    )


async def test_local_mode_without_a_token_acts_as_the_local_developer(tmp_path: Path) -> None:
    async with running(Settings(data_dir=tmp_path)) as gateway:
        customers = await gateway.gql(CUSTOMERS)
        quarantine = await gateway.gql(QUARANTINE)

    assert customers.status_code == 200
    assert customers.json()["data"]["customers"]["nodes"]
    assert quarantine.json()["data"]["quarantine"]["totalCount"] == 0


async def test_the_local_developer_is_only_for_callers_on_this_machine(tmp_path: Path) -> None:
    token = load_or_create_dev_key(tmp_path).issue(
        audience="erp-gateway", subject="dev", roles=["sales"], companies=["*"]
    )
    async with running(Settings(data_dir=tmp_path), client_host="192.0.2.10") as gateway:
        tokenless = await gateway.gql(CUSTOMERS)
        with_token = await gateway.gql(CUSTOMERS, token=token)

    assert tokenless.status_code == 401
    assert with_token.status_code == 200


async def test_local_mode_keeps_its_development_key_private_and_across_restarts(
    tmp_path: Path,
) -> None:
    create_app(Settings(data_dir=tmp_path))
    key_file = tmp_path / KEY_FILE
    first = key_file.read_bytes()
    create_app(Settings(data_dir=tmp_path))

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes() == first


async def test_local_mode_accepts_a_development_token_with_its_own_roles(tmp_path: Path) -> None:
    token = load_or_create_dev_key(tmp_path).issue(
        audience="erp-gateway", subject="dev", roles=["agent"], companies=["EU01"]
    )
    async with running(Settings(data_dir=tmp_path)) as gateway:
        read = await gateway.gql(CUSTOMERS, token=token)
        admin = await gateway.gql(QUARANTINE, token=token)

    assert read.json()["data"]["customers"]["nodes"]
    assert admin.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_local_mode_can_require_tokens(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, auth=AuthSettings(local_anonymous=False))
    async with running(settings) as gateway:
        response = await gateway.gql(CUSTOMERS)
        graphiql = await gateway.client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 401
    assert graphiql.status_code == 200, "the GraphiQL page stays open in local mode"


def test_the_local_developer_never_has_hr() -> None:
    with pytest.raises(ValueError, match="hr"):
        AuthSettings(local_roles=["sales", "hr"])  # type: ignore[list-item]


async def test_production_refuses_tokenless_calls_and_development_tokens(tmp_path: Path) -> None:
    dev_token = load_or_create_dev_key(tmp_path).issue(
        audience="erp-gateway", subject="dev", roles=["admin"], companies=["*"]
    )
    issuer = Issuer()
    async with running(_production(tmp_path, issuer)) as gateway:
        tokenless = await gateway.gql(CUSTOMERS)
        development = await gateway.gql(CUSTOMERS, token=dev_token)
        good = await gateway.gql(CUSTOMERS, token=issuer.token())

    assert tokenless.status_code == 401
    assert development.status_code == 401
    assert "development key" in challenge(development)["error_description"]
    assert good.status_code == 200


def test_production_refuses_to_start_with_the_development_key_in_its_jwks(tmp_path: Path) -> None:
    dev_jwks = tmp_path / "dev-jwks.json"
    dev_jwks.write_text(json.dumps(load_or_create_dev_key(tmp_path).jwks()))

    with pytest.raises(ValueError, match="development key"):
        create_app(_production(tmp_path, Issuer(), dev_jwks))


def test_production_refuses_the_development_key_under_another_kid(tmp_path: Path) -> None:
    jwk = {**load_or_create_dev_key(tmp_path).public_jwk, "kid": "innocent-looking"}
    disguised = tmp_path / "jwks.json"
    disguised.write_text(json.dumps({"keys": [jwk]}))

    with pytest.raises(ValueError, match="development key"):
        create_app(_production(tmp_path, Issuer(), disguised))


def test_production_reads_remote_keys_over_https_only(tmp_path: Path) -> None:
    auth = AuthSettings(issuer="https://idp.test", jwks_url="http://idp.test/certs")

    with pytest.raises(ValueError, match="https"):
        create_app(Settings(data_dir=tmp_path, mode="production", auth=auth))


def test_a_development_key_readable_by_others_is_restricted(tmp_path: Path) -> None:
    load_or_create_dev_key(tmp_path)
    (tmp_path / KEY_FILE).chmod(0o644)

    create_app(Settings(data_dir=tmp_path))

    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600


def test_production_needs_an_issuer(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="issuer"):
        create_app(Settings(data_dir=tmp_path, mode="production"))


def test_serve_refuses_to_start_in_production_without_an_issuer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ERP_GATEWAY_MODE", "production")

    code = main(["serve", "--data-dir", str(tmp_path), "--port", "0"])

    assert code == 2
    assert "cannot start: production mode needs a token issuer" in capsys.readouterr().err


def test_symmetric_and_none_algorithms_cannot_be_configured() -> None:
    for algorithm in ("HS256", "none"):
        with pytest.raises(ValueError, match="algorithms"):
            AuthSettings(algorithms=[algorithm])  # type: ignore[list-item]


def test_token_command_refuses_in_production(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ERP_GATEWAY_MODE", "production")

    code = main(["token", "--role", "sales", "--company", "EU01", "--data-dir", str(tmp_path)])

    assert code == 3
    assert "production" in capsys.readouterr().err
    assert not (tmp_path / KEY_FILE).exists()


async def test_token_command_prints_a_token_the_local_gateway_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["token", "--role", "finance", "--company", "EU01", "--data-dir", str(tmp_path)])
    token = capsys.readouterr().out.strip()
    settings = Settings(data_dir=tmp_path, auth=AuthSettings(local_anonymous=False))
    async with running(settings) as gateway:
        invoices = await gateway.gql("{ invoices(first: 1) { totalCount } }", token=token)
        orders = await gateway.gql(
            'mutation { placeOrder(input: {idempotencyKey: "k", customerId: "EU01:1", '
            'lines: [{sku: "TG11", quantity: "1"}]}) { errors { message } } }',
            token=token,
        )

    assert code == 0
    assert invoices.json()["data"]["invoices"]["totalCount"] >= 0
    assert orders.json()["errors"][0]["extensions"] == {
        "code": "FORBIDDEN",
        "requiredScope": "orders:write",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--company", "EU01"], "--role or --scope"),
        (["--role", "sales"], "--company"),
        (["--role", "sales", "--company", "XX01"], "unknown connection"),
        (["--role", "sales", "--company", "EU01", "--ttl", "0"], "--ttl"),
    ],
)
def test_token_command_rejects_bad_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main(["token", *args, "--data-dir", str(tmp_path)])

    assert code == 2
    assert message in capsys.readouterr().err
