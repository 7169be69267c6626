"""Load the demo catalogue into a Tryton database with proteus; run it as a separate process.

``python -m erp_sandbox.tryton.demo_data --config <conf> --database <name>`` is what
``build_database`` runs. Importing trytond changes process-wide state (it forces ``TZ=UTC`` and
keeps a global pool), so this module imports proteus only inside ``load`` and nothing else in the
project imports this module. proteus has no type information: its objects are typed ``Any``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from erp_sandbox.tryton import catalog


class _Loader:
    """One proteus session; each public method creates one kind of record."""

    def __init__(self, proteus: Any, today: dt.date) -> None:
        self.model = proteus.Model
        self.today = today
        self.unit: Any = None

    def get(self, name: str) -> Any:
        return self.model.get(name)

    def company(self) -> Any:
        company_tools = importlib.import_module("trytond.modules.company.tests.tools")
        countries = {c.code: c for c in self._countries()}
        party = self.get("party.party")(name=catalog.COMPANY_NAME)
        address = party.addresses[0]
        address.street = "100 Gateway Plaza"
        address.city = "Wilmington"
        address.postal_code = "19801"
        address.country = countries[catalog.COMPANY_COUNTRY]
        party.save()
        company_tools.create_company(party=party, currency=catalog.COMPANY_CURRENCY)
        return company_tools.get_company()

    def _countries(self) -> list[Any]:
        Country = self.get("country.country")
        Subdivision = self.get("country.subdivision")
        (north_america,) = self.get("country.region").find([("code_numeric", "=", "021")])
        created = []
        for spec in catalog.COUNTRIES:
            found = Country.find([("code", "=", spec.code)])
            if found:
                created.append(found[0])
                continue
            country = Country(
                name=spec.name,
                code=spec.code,
                code3=spec.code3,
                code_numeric=spec.numeric,
                region=north_america,
            )
            country.save()
            Subdivision.save(
                [
                    Subdivision(name=name, code=code, type=spec.subdivision_type, country=country)
                    for code, name in spec.subdivisions
                ]
            )
            created.append(country)
        return created

    def accounting(self, company: Any) -> dict[str, Any]:
        account = importlib.import_module("trytond.modules.account.tests.tools")
        invoice = importlib.import_module("trytond.modules.account_invoice.tests.tools")
        account.create_chart(company)
        year = self.today.year
        fiscalyear = invoice.set_fiscalyear_invoice_sequences(
            account.create_fiscalyear(company, (dt.date(year, 1, 1), dt.date(year, 12, 31)))
        )
        fiscalyear.click("create_period")
        accounts: dict[str, Any] = account.get_accounts(company)
        tax = account.create_tax(catalog.SALES_TAX_RATE, company)
        tax.name = tax.description = catalog.SALES_TAX_NAME
        tax.save()
        accounts["sales_tax"] = tax
        term = invoice.create_payment_term()
        term.name = "Due on receipt"
        term.save()
        accounts["payment_term"] = term
        (cash_journal,) = self.get("account.journal").find([("type", "=", "cash")])
        method = self.get("account.invoice.payment.method")(
            name="Cash",
            journal=cash_journal,
            credit_account=accounts["cash"],
            debit_account=accounts["cash"],
        )
        method.save()
        accounts["payment_method"] = method
        return accounts

    def customers(self, payment_term: Any) -> dict[str, Any]:
        Party = self.get("party.party")
        countries = {c.code: c for c in self.get("country.country").find([])}
        subdivisions = {s.code: s for s in self.get("country.subdivision").find([])}
        parties = []
        for spec in catalog.CUSTOMERS:
            party = Party(name=spec.name, customer_payment_term=payment_term)
            address = party.addresses[0]
            address.street = spec.street
            address.city = spec.city
            address.postal_code = spec.postal_code
            address.country = countries[spec.country]
            address.subdivision = subdivisions[spec.subdivision]
            if spec.email:
                party.contact_mechanisms.new(type="email", value=spec.email)
            parties.append(party)
        Party.save(parties)
        return {p.name: p for p in parties}

    def products(self, accounts: dict[str, Any]) -> dict[str, Any]:
        category = self.get("product.category")(
            name="Goods",
            accounting=True,
            account_revenue=accounts["revenue"],
            account_expense=accounts["expense"],
        )
        category.customer_taxes.append(self.get("account.tax")(accounts["sales_tax"].id))
        category.save()
        (unit,) = self.get("product.uom").find([("name", "=", "Unit")])
        self.unit = unit
        Template = self.get("product.template")
        templates = []
        for spec in catalog.PRODUCTS:
            template = Template(
                name=spec.name,
                code=spec.code,
                type="goods",
                salable=True,
                default_uom=unit,
                sale_uom=unit,
                list_price=spec.list_price,
                account_category=category,
            )
            template.products[0].cost_price = spec.cost_price
            templates.append(template)
        Template.save(templates)
        return {t.products[0].code: t.products[0] for t in templates}

    def stock(self, products: dict[str, Any]) -> None:
        (storage,) = self.get("stock.location").find([("code", "=", catalog.STORAGE_CODE)])
        inventory = self.get("stock.inventory")(
            location=storage, date=self.today - dt.timedelta(days=60)
        )
        for spec in catalog.PRODUCTS:
            inventory.lines.new(
                product=products[spec.code], quantity=float(spec.stock), expected_quantity=0.0
            )
        inventory.click("confirm")

    def _line(self, products: dict[str, Any], code: str, quantity: int, tax: Any) -> dict[str, Any]:
        prices = {spec.code: spec.list_price for spec in catalog.PRODUCTS}
        # The taxes the product's on_change would set: its account category's customer taxes.
        return {
            "type": "line",
            "product": products[code].id,
            "quantity": float(quantity),
            "unit": self.unit.id,
            "unit_price": prices[code],
            "taxes": [("add", [tax.id])],
        }

    def sales(
        self, customers: dict[str, Any], products: dict[str, Any], accounts: dict[str, Any]
    ) -> None:
        Sale = self.get("sale.sale")
        # Create through the model's RPC proxy with every value given: proteus would call the
        # server for the on_change of each field set, which makes up most of this stage's time.
        values = []
        for spec in catalog.HISTORIC_SALES:
            party = customers[spec.customer]
            (address,) = party.addresses
            values.append(
                {
                    "party": party.id,
                    "invoice_address": address.id,
                    "shipment_address": address.id,
                    "reference": spec.reference,
                    "sale_date": self.today - dt.timedelta(days=spec.days_ago),
                    "invoice_method": "fulfillment",
                    "shipment_method": "order",
                    "payment_term": accounts["payment_term"].id,
                    "lines": [
                        (
                            "create",
                            [
                                self._line(products, c, q, accounts["sales_tax"])
                                for c, q in spec.lines
                            ],
                        )
                    ],
                }
            )
        sales = [Sale(id_) for id_ in Sale._proxy.create(values, Sale._config.context)]
        # Each step runs on all the sales that go at least that far: one call per step is much
        # faster than walking each sale through the whole flow.
        kinds = {spec.reference: spec.kind for spec in catalog.HISTORIC_SALES}

        def past(*steps: str) -> list[Any]:
            return [sale for sale in sales if kinds[sale.reference] not in steps]

        Sale.click(past("draft"), "quote")
        Sale.click(past("draft", "quotation"), "confirm")
        assigned = past("draft", "quotation", "confirmed")
        invoiced = past("draft", "quotation", "confirmed", "assigned")
        Sale.reload(sales)
        Shipment = self.get("stock.shipment.out")
        Shipment.click([shipment for sale in assigned for shipment in sale.shipments], "assign_try")
        for button in ("pick", "pack", "do"):
            Shipment.click([shipment for sale in invoiced for shipment in sale.shipments], button)
        Sale.reload(invoiced)
        Invoice = self.get("account.invoice")
        invoices = [invoice for sale in invoiced for invoice in sale.invoices]
        Invoice.click(invoices, "post")
        for sale in invoiced:
            if kinds[sale.reference] == "paid":
                (invoice,) = sale.invoices
                pay = invoice.click("pay")
                pay.form.payment_method = accounts["payment_method"]
                pay.execute("choice")


def load(database: str, config_file: str, today: dt.date | None = None) -> None:
    """Create the company, accounting, customers, products, stock and historic sales."""
    proteus = importlib.import_module("proteus")
    proteus.config.set_trytond(database=database, config_file=config_file)
    loader = _Loader(proteus, today or dt.date.today())
    with _stage("company"):
        company = loader.company()
    with _stage("accounting"):
        accounts = loader.accounting(company)
    with _stage("customers"):
        customers = loader.customers(accounts["payment_term"])
    with _stage("products"):
        products = loader.products(accounts)
    with _stage("stock"):
        loader.stock(products)
    with _stage("sales"):
        loader.sales(customers, products, accounts)


@contextmanager
def _stage(name: str) -> Iterator[None]:
    # The parent process reads these lines to report where build time goes.
    start = time.perf_counter()
    yield
    print(f"stage {name} {time.perf_counter() - start:.2f}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m erp_sandbox.tryton.demo_data",
        description="Load the gateway's demo data into a Tryton database.",
    )
    parser.add_argument("--config", required=True, help="trytond configuration file")
    parser.add_argument("--database", required=True, help="database name")
    args = parser.parse_args(argv)
    load(args.database, args.config)


if __name__ == "__main__":
    main()
