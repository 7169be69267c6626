"""Deliveries (outbound, with their goods issue): GraphQL types only; reached via orders."""

from __future__ import annotations

import datetime as dt

import strawberry

from experience_api.schema.common import Quantity, Source
from system_apis.contracts import models


@strawberry.type
class DeliveryLine:
    line_number: str
    sku: str
    quantity: Quantity
    location: str | None
    order_id: strawberry.ID | None
    order_line: str | None

    @classmethod
    def from_model(cls, line: models.DeliveryLine) -> DeliveryLine:
        return cls(
            line_number=line.line_number,
            sku=line.sku,
            quantity=Quantity.from_model(line.quantity),
            location=line.location,
            order_id=None if line.order_id is None else strawberry.ID(line.order_id),
            order_line=line.order_line,
        )


@strawberry.type
class Delivery:
    id: strawberry.ID
    native_id: str
    source: Source
    number: str
    goods_issued: bool = strawberry.field(description="True once the stock has left.")
    goods_issue_date: dt.date | None
    created_at: dt.datetime | None
    lines: list[DeliveryLine]

    @classmethod
    def from_model(cls, delivery: models.Delivery) -> Delivery:
        return cls(
            id=strawberry.ID(delivery.id),
            native_id=delivery.native_id,
            source=Source.from_model(delivery.source),
            number=delivery.number,
            goods_issued=delivery.goods_issued,
            goods_issue_date=delivery.goods_issue_date,
            created_at=delivery.created_at,
            lines=[DeliveryLine.from_model(line) for line in delivery.lines],
        )
