"""Output tax determination (condition type ``MWST``), as SAP's SD pricing finds it.

SAP determines an item's output tax from the tax departure country (the country of the
company code that sells), the customer's tax classification for that country
(``A_CustomerSalesAreaTax.CustomerTaxClassification``, copied to the order header as
``CustomerTaxClassification1``) and the product's (``A_ProductSalesTax.TaxClassification``,
copied to the item as ``ProductTaxClassification1``); a condition record per combination
names the tax code and its rate. The sandbox holds the records of a German company code:

=====================  ======================  =====================
customer \\ product     ``1`` full tax          ``2`` reduced tax
=====================  ======================  =====================
``1`` liable for tax   19% (tax code ``AN``)   7% (tax code ``AM``)
``0`` exempt           0% (tax code ``A0``)    0% (tax code ``A0``)
=====================  ======================  =====================

Product classification ``0`` (no tax) is 0% for every customer. Customers in Germany and
private persons in the EU are liable for tax; businesses in other EU countries (intra-community
supplies) and customers outside the EU (exports) are exempt. The sandbox has no US sales tax
jurisdictions, so what the US company code ``1710`` sells carries no tax. The tax amount of an
item is its net value times the rate, rounded to cents; headers sum their items.
"""

from __future__ import annotations

from decimal import Decimal

from erp_sandbox.odata.edm import Row
from erp_sandbox.sap import org
from erp_sandbox.sap.records import load, money
from erp_sandbox.sap.store import Transaction

TAX_CATEGORY = "MWST"
PRODUCT_TAXES = "A_ProductSalesTax"
CUSTOMER_TAXES = "A_CustomerSalesAreaTax"

FULL, REDUCED, NO_TAX = "1", "2", "0"
"""Product tax classifications."""
LIABLE, EXEMPT = "1", "0"
"""Customer tax classifications."""

RATES: dict[tuple[str, str, str], Decimal] = {
    ("DE", LIABLE, FULL): Decimal("0.19"),
    ("DE", LIABLE, REDUCED): Decimal("0.07"),
}
"""Condition records: (departure country, customer class, product class) → rate; others 0%."""

EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


def customer_classification(country: str, category: str, departure: str) -> str:
    """The tax classification a customer in ``country`` gets for sales from ``departure``.

    ``category`` is the business partner category (``1`` person, ``2`` organisation).
    """
    if country == departure:
        return LIABLE
    if departure in EU_COUNTRIES and country in EU_COUNTRIES and category == "1":
        return LIABLE
    return EXEMPT


def departure_country(sales_organization: str) -> str:
    """The tax departure country of what ``sales_organization`` sells."""
    company_code = org.SALES_ORGANIZATIONS.get(sales_organization, sales_organization)
    return org.COMPANY_COUNTRIES.get(company_code, "")


def customer_tax_class(tx: Transaction, customer: str, header: Row) -> str:
    """The customer's tax classification in the order's sales area; exempt when none is kept."""
    row = load(
        tx,
        CUSTOMER_TAXES,
        customer,
        header["SalesOrganization"],
        header["DistributionChannel"],
        header["OrganizationDivision"],
        departure_country(header["SalesOrganization"]),
        TAX_CATEGORY,
    )
    return row["CustomerTaxClassification"] if row is not None else EXEMPT


def product_tax_class(tx: Transaction, product: str, country: str) -> str:
    """The product's tax classification in ``country``; no tax when none is kept."""
    for row in tx.rows(PRODUCT_TAXES):
        if (row["Product"], row["Country"], row["TaxCategory"]) == (product, country, TAX_CATEGORY):
            return str(row["TaxClassification"])
    return NO_TAX


def rate(country: str, customer_class: str, product_class: str) -> Decimal:
    """The output tax rate the condition records give; 0 when none matches."""
    return RATES.get((country, customer_class, product_class), Decimal(0))


def tax_amount(net: Decimal, header: Row, item: Row) -> Decimal:
    """The output tax of an item of the order ``header`` with net value ``net``."""
    return money(
        net
        * rate(
            header["TaxDepartureCountry"],
            header["CustomerTaxClassification1"],
            item["ProductTaxClassification1"],
        )
    )
