"""Secrets and personal data never reach a log line."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from experience_api.connection_settings import ConnectionSettings
from experience_api.log_redaction import REDACTED, RedactingFilter, redact, secrets_in
from experience_api.settings import Settings

pytestmark = pytest.mark.unit

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXZhbHVl"


@pytest.mark.parametrize(
    ("line", "leak"),
    [
        (f"Authorization: Bearer {JWT}", JWT),
        (f"token {JWT} refused", JWT),
        ("Authorization: Basic R0FURVdBWTpzYW5kYm94", "R0FURVdBWTpzYW5kYm94"),
        ("connect amqp://guest:hunter22@127.0.0.1:5672/", "hunter22"),
        ('{"password": "s3cr3t-value", "user": "x"}', "s3cr3t-value"),
        ("secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ("paid to DE89 3704 0044 0532 0130 00", "3704 0044 0532"),
        ("paid to DE89370400440532013000", "DE89370400440532013000"),
    ],
)
def test_credential_shapes_are_redacted(line: str, leak: str) -> None:
    cleaned = redact(line)
    assert leak not in cleaned
    assert REDACTED in cleaned


def test_ordinary_text_is_kept() -> None:
    line = "order EU01:42 placed for customer EU01:10100001 (2 lines, 1010/0001)"
    assert redact(line) == line


def test_configured_secret_values_are_redacted_in_messages_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("test.redaction")
    caplog.handler.addFilter(RedactingFilter(["Pa55-word-for-sap"]))
    try:
        raise RuntimeError("login with Pa55-word-for-sap failed")
    except RuntimeError:
        logger.exception("SAP said no to %s", "Pa55-word-for-sap")
    assert "Pa55-word-for-sap" not in caplog.text
    assert caplog.text.count(REDACTED) == 3  # the message, the source line, the error


def test_every_secret_of_the_settings_is_found(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAP_PASSWORD_FOR_TEST", "from-the-environment")
    secret_file = tmp_path / "sap.pw"  # type: ignore[operator]
    secret_file.write_text("from-a-file\n")
    settings = Settings(
        data_dir=tmp_path,  # type: ignore[arg-type]
        audit_key=SecretStr("k" * 40),
        connections=[
            ConnectionSettings(name="A", base_url="http://a", password_env="SAP_PASSWORD_FOR_TEST"),
            ConnectionSettings(name="B", base_url="http://b", password_file=secret_file),
            ConnectionSettings(name="C", base_url="http://c", password=SecretStr("inline-one")),
        ],
    )
    found = set(secrets_in(settings))
    assert {"from-the-environment", "from-a-file", "inline-one", "k" * 40} <= found


def test_a_missing_password_variable_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    conn = ConnectionSettings(name="A", base_url="http://a", password_env="NOT_SET_ANYWHERE")
    with pytest.raises(ValueError, match="NOT_SET_ANYWHERE is not set"):
        conn.erp.secret()
