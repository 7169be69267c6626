"""The examples the documentation shows, read from README.md and docs/*.md as a reader sees
them: fenced code blocks by language, in the order they appear."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Example:
    file: str
    number: int  # 1-based, among the file's blocks of that language
    text: str

    @property
    def name(self) -> str:
        return f"{self.file}#{self.number}"


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(path: Path, language: str) -> list[Example]:
    """The ``language`` blocks of one file, in order."""
    fences = _FENCE.findall(path.read_text(encoding="utf-8"))
    texts = [body for lang, body in fences if lang == language]
    name = str(path.relative_to(ROOT))
    return [Example(name, number, text) for number, text in enumerate(texts, start=1)]


def graphql_examples() -> list[Example]:
    """Every ```graphql block of README.md and docs/*.md."""
    return [example for path in documents() for example in blocks(path, "graphql")]


def section(path: Path, heading: str) -> str:
    """The text under the ``## heading`` of a Markdown file, up to the next such heading."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]
