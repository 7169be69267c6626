"""Event types the gateway takes in, each with the schema of its data and its handler."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from process_apis.errors import InvalidInput
from process_apis.inbound.model import InboundHandler, InboundSource

MAX_ERRORS = 5


class InboundTypes:
    """The registered handlers by event type; validates an envelope's ``data`` for a source."""

    def __init__(self, handlers: Iterable[InboundHandler]):
        self._handlers: dict[str, InboundHandler] = {}
        for handler in handlers:
            for name in handler.data_models:
                if name in self._handlers:
                    raise ValueError(f"two handlers for inbound event type {name!r}")
                self._handlers[name] = handler

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self._handlers))

    def handler(self, type_name: str) -> InboundHandler:
        try:
            return self._handlers[type_name]
        except KeyError:
            raise InvalidInput(
                f"type: unknown event type {type_name!r}; known: {', '.join(self.names)}",
                field="type",
            ) from None

    def accepted_from(self, source: InboundSource) -> tuple[str, ...]:
        return tuple(n for n in self.names if source.kind in self._handlers[n].kinds)

    def parse(self, source: InboundSource, type_name: str, data: object) -> BaseModel:
        """The validated data of an event ``source`` sent; InvalidInput says what is wrong."""
        handler = self.handler(type_name)
        if source.kind not in handler.kinds:
            raise InvalidInput(
                f"type: {type_name!r} is not accepted from a {source.kind.value} source; "
                f"accepted: {', '.join(self.accepted_from(source)) or 'none'}",
                field="type",
            )
        return validated(handler.data_models[type_name], data, prefix="data")


def validated(model: type[BaseModel], data: object, *, prefix: str) -> BaseModel:
    """``data`` as ``model``; InvalidInput names the first failing fields."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{prefix}: must be a JSON object", field=prefix)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_message(exc, prefix), field=_first_field(exc, prefix)) from None


def _location(error: Mapping[str, Any], prefix: str) -> str:
    return ".".join([prefix, *(str(part) for part in error["loc"])])


def _message(exc: ValidationError, prefix: str) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    parts = [f"{_location(e, prefix)}: {e['msg']}" for e in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        parts.append(f"and {len(errors) - MAX_ERRORS} more")
    return "; ".join(parts)


def _first_field(exc: ValidationError, prefix: str) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    return _location(errors[0], prefix) if errors else prefix
