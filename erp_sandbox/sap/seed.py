"""Deterministic demo data: master data, stock, prices and 30 historic sales orders.

Everything random comes from ``random.Random(SEED)``, so two seeds on the same anchor day are
identical. Dates are relative to the anchor (by default now): orders spread over the 90 days
before it. The historic documents are made by the same business processes that serve requests,
so statuses, amounts and stock agree. Of the twenty older orders (12 to 90 days back), ten
picked at random are delivered and billed and ten are delivered only (goods issue posted); the
ten most recent are only ordered. Stock is seeded first, so it already reflects the historic
goods issues.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from erp_sandbox.odata.values import json_date
from erp_sandbox.sap import org, taxes
from erp_sandbox.sap.billing import create_from_sd_document
from erp_sandbox.sap.orders import create_sales_order, order_items
from erp_sandbox.sap.records import blank, day, save
from erp_sandbox.sap.seed_credit import seed_credit_accounts
from erp_sandbox.sap.seed_data import (
    LOW_STOCK_PRODUCT,
    Article,
    Partner,
    customers,
    products,
    suppliers,
)
from erp_sandbox.sap.seed_people import seed_employees
from erp_sandbox.sap.shipping import create_delivery, pick_all_items, post_goods_issue
from erp_sandbox.sap.stock import set_stock
from erp_sandbox.sap.store import SCHEMA_VERSION, Transaction

SEED = 20240611
HISTORIC_ORDERS = 30


def _partner(
    tx: Transaction, number: str, partner: Partner, customer: bool, created: datetime
) -> None:
    row = blank("A_BusinessPartner")
    row.update(
        BusinessPartner=number,
        Customer=number if customer else "",
        BusinessPartnerCategory=partner.category,
        BusinessPartnerFullName=partner.name,
        BusinessPartnerIsBlocked=partner.blocked,
        CreationDate=day(created),
        LastChangeDate=day(created),
    )
    save(tx, "A_BusinessPartner", row)
    address = blank("A_BusinessPartnerAddress")
    address.update(
        BusinessPartner=number,
        AddressID=str(int(number) % 100000 + 22000),
        CityName=partner.city,
        PostalCode=partner.postal_code,
        StreetName=partner.street,
        Country=partner.country,
        Region=partner.region,
    )
    address["HouseNumber"] = str(random_house_number(number))
    save(tx, "A_BusinessPartnerAddress", address)
    if customer:
        _customer_taxes(tx, number, partner)


def _customer_taxes(tx: Transaction, number: str, partner: Partner) -> None:
    """The customer's tax classification in each sales area, for its departure country."""
    for sales_organization in org.SALES_ORGANIZATIONS:
        departure = taxes.departure_country(sales_organization)
        row = blank(taxes.CUSTOMER_TAXES)
        row.update(
            Customer=number,
            SalesOrganization=sales_organization,
            DistributionChannel=org.DEFAULT_DISTRIBUTION_CHANNEL,
            Division=org.DEFAULT_DIVISION,
            DepartureCountry=departure,
            CustomerTaxCategory=taxes.TAX_CATEGORY,
            CustomerTaxClassification=taxes.customer_classification(
                partner.country, partner.category, departure
            ),
        )
        save(tx, taxes.CUSTOMER_TAXES, row)


def random_house_number(number: str) -> int:
    """A house number that depends only on the partner number."""
    return random.Random(f"{SEED}:{number}").randint(1, 180)


def _product(
    tx: Transaction, number: str, article: Article, created: datetime, changed: datetime
) -> None:
    row = blank("A_Product")
    row.update(
        Product=number,
        ProductType=article.product_type,
        ProductGroup=article.group,
        BaseUnit=article.unit,
        GrossWeight=article.weight,
        WeightUnit="KG",
        IsMarkedForDeletion=False,
        CreationDate=day(created),
        LastChangeDate=day(changed),
    )
    save(tx, "A_Product", row)
    description = blank("A_ProductDescription")
    description.update(Product=number, Language="EN", ProductDescription=article.description)
    save(tx, "A_ProductDescription", description)
    for country in sorted(set(org.COMPANY_COUNTRIES.values())):
        tax = blank(taxes.PRODUCT_TAXES)
        tax.update(
            Product=number,
            Country=country,
            TaxCategory=taxes.TAX_CATEGORY,
            TaxClassification=article.tax,
        )
        save(tx, taxes.PRODUCT_TAXES, tax)
    tx.put(
        org.PRICE_LIST,
        (number,),
        {"Product": number, "Price": article.price, "Currency": org.CURRENCY},
    )


def _stock(rng: random.Random, number: str, article: Article) -> dict[str, Decimal]:
    if number == LOW_STOCK_PRODUCT:
        return {"1010": Decimal(3), "1710": Decimal(1)}
    if article.unit == "KG":
        low, high = 300, 2000
    elif article.weight >= 20:
        low, high = 25, 60
    else:
        low, high = 60, 400
    return {plant: Decimal(rng.randint(low, high)) for plant in org.PLANTS}


def _master_data(tx: Transaction, rng: random.Random, anchor: datetime) -> list[str]:
    for number, partner in customers():
        _partner(tx, number, partner, True, anchor - timedelta(days=rng.randint(120, 1500)))
    for number, partner in suppliers():
        _partner(tx, number, partner, False, anchor - timedelta(days=rng.randint(120, 1500)))
    sellable = []
    for number, article in products():
        created = anchor - timedelta(days=rng.randint(200, 900))
        changed = created + timedelta(days=rng.randint(0, 150))
        _product(tx, number, article, created, changed)
        for plant, amount in _stock(rng, number, article).items():
            location = org.PLANTS[plant].storage_location
            set_stock(tx, number, plant, location, amount, article.unit)
        if number != LOW_STOCK_PRODUCT:
            sellable.append(number)
    return sellable


def _order_body(
    rng: random.Random, sellable: list[str], units: dict[str, str], when: datetime
) -> dict[str, object]:
    buyers = [number for number, partner in customers() if not partner.blocked]
    lines = []
    for material in rng.sample(sellable, rng.randint(1, 4)):
        amount = rng.randint(5, 40) if units[material] == "KG" else rng.randint(1, 8)
        lines.append({"Material": material, "RequestedQuantity": str(amount)})
    return {
        "SalesOrderType": "OR",
        "SalesOrganization": "1010",
        "DistributionChannel": "10",
        "OrganizationDivision": "00",
        "SoldToParty": rng.choice(buyers),
        "PurchaseOrderByCustomer": f"PO-{rng.randint(100000, 999999)}",
        "RequestedDeliveryDate": json_date(day(when) + timedelta(days=rng.randint(3, 14))),
        "to_Item": lines,
    }


def _history(tx: Transaction, rng: random.Random, anchor: datetime, sellable: list[str]) -> None:
    units = {number: article.unit for number, article in products()}
    offsets = sorted(rng.sample(range(12, 91), HISTORIC_ORDERS - 10), reverse=True)
    offsets += sorted(rng.sample(range(1, 12), 10), reverse=True)
    billed = set(rng.sample(range(HISTORIC_ORDERS - 10), 10))
    midnight = anchor.replace(hour=0, minute=0, second=0, microsecond=0)
    for index, offset in enumerate(offsets):
        when = midnight - timedelta(days=offset)
        when += timedelta(hours=rng.randint(8, 16), minutes=rng.randint(0, 59))
        order = create_sales_order(tx, _order_body(rng, sellable, units, when), when)
        if index >= HISTORIC_ORDERS - 10:
            continue
        shipped = when + timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 5))
        references = [
            {"ReferenceSDDocument": order["SalesOrder"], "ReferenceSDDocumentItem": item}
            for item in (row["SalesOrderItem"] for row in order_items(tx, order["SalesOrder"]))
        ]
        delivery = create_delivery(tx, {"to_DeliveryDocumentItem": references}, shipped)
        pick_all_items(tx, delivery["DeliveryDocument"], "*", shipped + timedelta(hours=1))
        post_goods_issue(tx, delivery["DeliveryDocument"], "*", shipped + timedelta(hours=2))
        if index in billed:
            invoiced = shipped + timedelta(days=rng.randint(1, 4))
            create_from_sd_document(tx, delivery["DeliveryDocument"], invoiced)


def seed(tx: Transaction, anchor: datetime | None = None) -> None:
    """Fill an empty store with the demo data, dated relative to ``anchor`` (default now)."""
    anchor = (anchor or datetime.now(UTC)).astimezone(UTC)
    rng = random.Random(SEED)
    sellable = _master_data(tx, rng, anchor)
    _history(tx, rng, anchor, sellable)
    seed_employees(tx, anchor)
    seed_credit_accounts(tx, anchor)
    tx.set_meta("schema", SCHEMA_VERSION)
    tx.set_meta("seeded", anchor.isoformat())
