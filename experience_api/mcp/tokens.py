"""Counting tokens as a model reads them: o200k_base, offline (the ranks ship with the
package), loaded on first use rather than at import."""

from __future__ import annotations

import warnings
from functools import cache
from typing import Protocol


class TokenCounter(Protocol):
    def __call__(self, text: str) -> int: ...


@cache
def _encoding() -> object:
    # bpe-openai 0.1 reads its bundled ranks (on import) with importlib.resources'
    # open_binary, which Python deprecates; read once, the warning tells our users nothing.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "open_binary is deprecated", DeprecationWarning)
        import bpe_openai

        return bpe_openai.get_encoding("o200k_base")


def o200k(text: str) -> int:
    """The number of o200k_base tokens of ``text``."""
    encoding = _encoding()
    return len(encoding.encode_ordinary(text))  # type: ignore[attr-defined]
