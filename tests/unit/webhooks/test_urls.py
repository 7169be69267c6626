"""Which URLs a subscription accepts."""

from __future__ import annotations

import pytest

from process_apis.errors import InvalidInput
from process_apis.webhooks.model import validate_url


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/erp",
        "http://127.0.0.1:8080/in?tenant=4",
        "HTTPS://EXAMPLE.COM",
        "  https://example.com/trimmed  ",
    ],
)
def test_accepted(url: str) -> None:
    assert validate_url(url) == url.strip()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "required"),
        ("ftp://example.com/x", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("example.com/hook", "http:// or https://"),
        ("https://", "no host"),
        ("https://user:pw@example.com/", "credentials"),
        ("https://example.com/#frag", "fragment"),
        ("https://example.com:99999/", "invalid URL"),
        ("https://example.com/a b", "spaces"),
        ("https://example.com/" + "a" * 2100, "longer than"),
    ],
)
def test_refused_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as info:
        validate_url(url)
    assert info.value.field == "url"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/in",
        "http://10.1.2.3/in",
        "http://192.168.0.10/in",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9000/in",
        "http://localhost/in",
        "http://api.localhost/in",
    ],
)
def test_private_targets_are_refused_when_not_allowed(url: str) -> None:
    assert validate_url(url) == url
    with pytest.raises(InvalidInput, match="private or local address"):
        validate_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["https://hooks.example.com/in", "https://8.8.8.8/in"])
def test_public_targets_pass_when_private_ones_are_refused(url: str) -> None:
    assert validate_url(url, allow_private=False) == url
