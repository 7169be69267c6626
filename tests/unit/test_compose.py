"""compose.yaml is the production shape and says nothing the gateway would not understand:
two replicas behind the proxy, on PostgreSQL, Redis and RabbitMQ; every ``ERP_GATEWAY_``
variable it sets is a setting; the settings the replicas get (its environment and
deploy/gateway.toml) load, in production mode, past the checks ``serve`` makes first."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from pydantic import BaseModel

from experience_api.safety import check_production_connections
from experience_api.security.setup import check_security
from experience_api.settings import ENV_PREFIX, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
GATEWAYS = ("gateway-a", "gateway-b")
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::[-?][^}]*)?\}")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def _is_setting(path: list[str], model: type[BaseModel]) -> bool:
    field = model.model_fields.get(path[0])
    if field is None:
        return False
    if len(path) == 1:
        return True
    nested = [t for t in (field.annotation, *get_args(field.annotation)) if _is_model(t)]
    return bool(nested) and _is_setting(path[1:], nested[0])


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def test_two_gateway_replicas_behind_a_proxy_on_the_shared_services() -> None:
    services = _compose()["services"]
    assert set(services) == {*GATEWAYS, "proxy", "postgres", "redis", "rabbitmq"}
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert re.findall(r"server (gateway-\w):8000", nginx) == list(GATEWAYS)
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in services["proxy"]["volumes"]
    for name in GATEWAYS:
        assert services[name]["build"] == "."  # the Dockerfile, installed from constraints.txt


@pytest.mark.parametrize("service", GATEWAYS)
def test_every_variable_set_on_a_gateway_is_a_setting(service: str) -> None:
    environment = _compose()["services"][service]["environment"]
    names = [name for name in environment if name.startswith(ENV_PREFIX)]
    assert len(names) >= 6
    unknown = [
        name
        for name in names
        if not _is_setting(name.removeprefix(ENV_PREFIX).lower().split("__"), Settings)
    ]
    assert unknown == [], f"not settings of experience_api/settings.py: {unknown}"


def test_the_check_catches_a_misspelt_variable() -> None:
    assert _is_setting(["events", "rabbitmq_url"], Settings)
    assert not _is_setting(["events", "rabbit_url"], Settings)
    assert not _is_setting(["auth", "rate_limit", "storage"], Settings)


def test_the_replicas_settings_load_in_production_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compose = _compose()
    gateway = compose["services"]["gateway-a"]
    # Paths as the container sees them, found on the host through the service's mounts.
    mounts = dict(reversed(v.removesuffix(":ro").split(":")) for v in gateway["volumes"])
    values = {"POSTGRES_PASSWORD": "pg-secret", "RABBITMQ_PASSWORD": "mq-secret"}
    for name, value in gateway["environment"].items():
        value = _INTERPOLATION.sub(lambda m: values[m.group(1)], str(value))
        monkeypatch.setenv(name, str(ROOT / mounts[value]) if value in mounts else value)

    settings = load_settings(data_dir=tmp_path)
    check_security(settings)
    check_production_connections(settings)

    assert settings.mode == "production"
    assert settings.state_url == "postgresql+asyncpg://gateway:pg-secret@postgres:5432/gateway"
    assert settings.auth.rate_limit.storage_url == "redis://redis:6379/0"
    assert settings.cache.backend == "redis"  # the replicas share the cache of ERP reads
    assert settings.auth.issuer is not None  # from the TOML file, beside the variables
    assert settings.events.broker == "rabbitmq"
    secrets = {f"/run/secrets/{name}" for name in compose["secrets"]}
    assert str(settings.audit_key_file) in secrets
    (sap,) = settings.connections
    assert not sap.erp.embedded
    assert str(getattr(sap.erp, "password_file", None)) in secrets
    proxy = compose["services"]["proxy"]["networks"]["backend"]["ipv4_address"]
    assert [str(net) for net in settings.auth.trusted_proxies] == [f"{proxy}/32"]
