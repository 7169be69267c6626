"""trytond's field validation messages, reworded to name the field the input got wrong.

trytond refuses a value with a ``UserError`` whose message is one of the ``ir`` module's
validation texts (``trytond/ir/message.xml``), with the field's label and the model's name
filled in, e.g.::

    The number of digits in the value "Decimal('1.5')" for field "Quantity" in record
    "Sale Line" of "Sale Line" exceeds the limit of "0".

Shown as it is, that reads as an internal error ("exceeds the limit of (None, 0)"). :func:`reword`
recognises these texts (in English, the language the gateway logs in with) and answers the
field's label and a message a client can act on; other messages are left to the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FIELD = r'for field "(?P<field>[^"]*)"'
_MODEL = r'(?: in record "(?P<record>[^"]*)" of| in) "(?P<model>[^"]*)"'
_VALUE = r'value "(?P<value>.*?)" '


@dataclass(frozen=True)
class FieldError:
    """A refused value: the field's label in Tryton and a message naming it."""

    field: str
    message: str


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text.replace("{field}", _FIELD).replace("{model}", _MODEL), re.DOTALL)


# (message.xml shape, what the client is told: {field}, {model}, {value} and the shape's groups)
_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _pattern(
            rf"The number of digits in the {_VALUE}{{field}}{{model}} exceeds the limit of "
            r'"(?P<digits>.*)"'
        ),
        '{value} has more decimal places than {model} "{field}" accepts',
    ),
    (
        _pattern(r"A value is required {field}{model}"),
        '{model} "{field}" is required',
    ),
    (
        _pattern(
            rf"The {_VALUE}{{field}}{{model}} is too long "
            r"\((?P<size>\d+) > (?P<max_size>\d+)\)"
        ),
        '{model} "{field}" is too long: {size} characters, at most {max_size}',
    ),
    (
        _pattern(rf"The {_VALUE}{{field}}{{model}} contains some invalid chars"),
        '{model} "{field}" contains characters Tryton does not accept: "{value}"',
    ),
    (
        _pattern(rf"The {_VALUE}{{field}}{{model}} is not one of the allowed options"),
        '"{value}" is not one of the allowed options of {model} "{field}"',
    ),
    (
        _pattern(rf"The time {_VALUE}{{field}}{{model}} is not valid"),
        '"{value}" is not a valid time for {model} "{field}"',
    ),
    (
        _pattern(rf"The {_VALUE}{{field}}{{model}} is not valid according to its domain"),
        '"{value}" is not an allowed value of {model} "{field}"',
    ),
)

_REPR = re.compile(r"""^(?:Decimal\()?(?P<q>['"])(?P<text>.*)(?P=q)\)?$""", re.DOTALL)


def _plain(value: str) -> str:
    """A ``%r`` of the value (``Decimal('1.5')``, ``'1.5'``) as ``1.5``."""
    found = _REPR.match(value.strip())
    return found["text"] if found else value


def reword(message: str) -> FieldError | None:
    """The field and a clear message for one of trytond's validation texts, else ``None``."""
    for pattern, wording in _SHAPES:
        found = pattern.search(message)
        if found is None:
            continue
        parts = {key: value or "" for key, value in found.groupdict().items()}
        parts["value"] = _plain(parts.get("value", ""))
        return FieldError(parts["field"], wording.format(**parts))
    return None
