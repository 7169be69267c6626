"""The cache of parsed and validated query texts stays bounded and keeps only successes."""

from __future__ import annotations

from graphql import parse

from experience_api.limits.document_cache import DocumentCache


def test_the_least_recently_used_text_is_forgotten_past_the_size() -> None:
    cache = DocumentCache(size=2)
    documents = {q: parse(q) for q in ("{ a }", "{ b }", "{ c }")}
    cache.remember("{ a }", 100, documents["{ a }"])
    cache.remember("{ b }", 100, documents["{ b }"])
    assert cache.document("{ a }", 100) is documents["{ a }"]  # now the most recent
    cache.remember("{ c }", 100, documents["{ c }"])
    assert cache.document("{ b }", 100) is None
    assert cache.document("{ a }", 100) is documents["{ a }"]
    assert cache.document("{ c }", 100) is documents["{ c }"]


def test_a_text_checked_under_another_token_limit_is_not_known() -> None:
    cache = DocumentCache()
    cache.remember("{ a }", 100, parse("{ a }"))
    assert cache.document("{ a }", 10) is None


def test_only_a_passed_validation_is_kept() -> None:
    cache = DocumentCache()
    calls: list[str] = []

    def failing() -> bool:
        calls.append("failing")
        return False

    def passing() -> bool:
        calls.append("passing")
        return True

    schema = object()
    assert not cache.valid(schema, "{ a }", 100, ("rule",), failing)
    assert not cache.valid(schema, "{ a }", 100, ("rule",), failing)
    assert cache.valid(schema, "{ b }", 100, ("rule",), passing)
    assert cache.valid(schema, "{ b }", 100, ("rule",), passing)
    assert cache.valid(schema, "{ b }", 100, ("other rule",), passing)
    assert calls == ["failing", "failing", "passing", "passing"]
