"""The fixed demo catalogue loaded into the Tryton sandbox: company, customers, products, sales.

Everything here is plain data so tests can import it (expected names, codes and counts) without
touching trytond. Companies and people are invented; cities, postal codes and streets are real
places so addresses look plausible. Product codes run ``US-1001`` to ``US-1032``; the last three
are stocked with only a few units so tests can run a product out of stock. Every product is sold
with a 10% sales tax, the customer tax of their account category.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

COMPANY_NAME = "Gateway Americas Inc."
COMPANY_CURRENCY = "USD"
COMPANY_COUNTRY = "US"

# Codes of the warehouse locations that the stock module creates.
WAREHOUSE_CODE = "WH"
STORAGE_CODE = "STO"
OUTPUT_CODE = "OUT"
CUSTOMER_LOCATION_CODE = "CUS"


@dataclass(frozen=True)
class Country:
    """A country with the ISO codes and the subdivisions the addresses use."""

    code: str
    code3: str
    numeric: str
    name: str
    subdivision_type: str
    subdivisions: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Customer:
    """A customer party with one address and, optionally, an email."""

    name: str
    street: str
    city: str
    postal_code: str
    subdivision: str
    country: str
    email: str | None = None


@dataclass(frozen=True)
class Product:
    """A goods product: code (SKU), name, USD list and cost price, units received."""

    code: str
    name: str
    list_price: Decimal
    cost_price: Decimal
    stock: int


SaleKind = Literal["draft", "quotation", "confirmed", "assigned", "invoiced", "paid"]


@dataclass(frozen=True)
class HistoricSale:
    """A sale taken to a given step; ``days_ago`` sets its sale date."""

    reference: str
    customer: str
    lines: tuple[tuple[str, int], ...]
    kind: SaleKind
    days_ago: int


COUNTRIES = (
    Country(
        "US",
        "USA",
        "840",
        "United States",
        "state",
        (
            ("US-CA", "California"),
            ("US-NY", "New York"),
            ("US-TX", "Texas"),
            ("US-IL", "Illinois"),
            ("US-WA", "Washington"),
            ("US-MA", "Massachusetts"),
            ("US-CO", "Colorado"),
            ("US-GA", "Georgia"),
            ("US-OR", "Oregon"),
            ("US-FL", "Florida"),
        ),
    ),
    Country(
        "CA",
        "CAN",
        "124",
        "Canada",
        "province",
        (
            ("CA-ON", "Ontario"),
            ("CA-QC", "Quebec"),
            ("CA-BC", "British Columbia"),
            ("CA-AB", "Alberta"),
        ),
    ),
)

_US = "US"
_CA = "CA"

CUSTOMERS = (
    Customer("Pacific Trail Outfitters", "1200 Market St", "San Francisco", "94102", "US-CA", _US,
             "orders@pacifictrail.example.com"),
    Customer("Hudson Office Supply", "350 5th Ave", "New York", "10118", "US-NY", _US,
             "purchasing@hudsonoffice.example.com"),
    Customer("Lone Star Hardware", "500 Congress Ave", "Austin", "78701", "US-TX", _US),
    Customer("Lakeshore Kitchens", "233 S Wacker Dr", "Chicago", "60606", "US-IL", _US,
             "buyer@lakeshorekitchens.example.com"),
    Customer("Evergreen Cycles", "400 Broad St", "Seattle", "98109", "US-WA", _US,
             "shop@evergreencycles.example.com"),
    Customer("Beacon Hill Books", "84 Beacon St", "Boston", "02108", "US-MA", _US),
    Customer("Front Range Climbing", "1701 Wynkoop St", "Denver", "80202", "US-CO", _US,
             "gear@frontrange.example.com"),
    Customer("Peachtree Garden Center", "191 Peachtree St NE", "Atlanta", "30303", "US-GA", _US),
    Customer("Rose City Coffee Roasters", "1005 W Burnside St", "Portland", "97209", "US-OR", _US,
             "hello@rosecitycoffee.example.com"),
    Customer("Biscayne Marine Supply", "401 Biscayne Blvd", "Miami", "33132", "US-FL", _US),
    Customer("Golden Gate Electronics", "2 Embarcadero Ctr", "San Francisco", "94111", "US-CA",
             _US, "ap@goldengate-elec.example.com"),
    Customer("Brooklyn Craft Studio", "55 Water St", "Brooklyn", "11201", "US-NY", _US),
    Customer("Gulf Coast Fitness", "1001 Fannin St", "Houston", "77002", "US-TX", _US,
             "orders@gulfcoastfit.example.com"),
    Customer("Prairie Home Goods", "401 N Michigan Ave", "Chicago", "60611", "US-IL", _US),
    Customer("Cascade Camping Co.", "1301 5th Ave", "Seattle", "98101", "US-WA", _US,
             "team@cascadecamping.example.com"),
    Customer("Sunset Boulevard Music", "6801 Hollywood Blvd", "Los Angeles", "90028", "US-CA",
             _US),
    Customer("Maple Leaf Traders", "100 King St W", "Toronto", "M5X 1A9", "CA-ON", _CA,
             "orders@mapleleaftraders.example.com"),
    Customer("Mont-Royal Fournitures", "1000 Rue De La Gauchetiere O", "Montreal", "H3B 4W5",
             "CA-QC", _CA, "achats@montroyal.example.com"),
    Customer("Stanley Park Provisions", "1055 W Georgia St", "Vancouver", "V6E 3P3", "CA-BC",
             _CA),
    Customer("Bow River Supply", "225 7 Ave SW", "Calgary", "T2P 2W3", "CA-AB", _CA,
             "supply@bowriver.example.com"),
    Customer("Rideau Office Solutions", "50 O'Connor St", "Ottawa", "K1P 6L2", "CA-ON", _CA),
    Customer("Old Port Kitchenware", "400 Rue Saint-Paul O", "Montreal", "H2Y 2A6", "CA-QC", _CA,
             "info@oldportkitchen.example.com"),
    Customer("Granville Island Crafts", "1669 Johnston St", "Vancouver", "V6H 3R9", "CA-BC", _CA),
    Customer("Chinook Outdoor Gear", "9915 108 St NW", "Edmonton", "T5K 2G8", "CA-AB", _CA,
             "sales@chinookgear.example.com"),
)  # fmt: skip

_D = Decimal

SALES_TAX_NAME = "Sales Tax 10%"
SALES_TAX_RATE = Decimal("0.10")
"""The customer tax of the products' account category: every sale line and invoice carries it."""

PRODUCTS = (
    Product("US-1001", "Stainless Water Bottle 750 ml", _D("24.00"), _D("9.50"), 240),
    Product("US-1002", "Insulated Coffee Mug", _D("18.50"), _D("7.20"), 180),
    Product("US-1003", "Trail Backpack 30 L", _D("89.00"), _D("38.00"), 60),
    Product("US-1004", "Camping Headlamp", _D("32.00"), _D("12.40"), 150),
    Product("US-1005", "Two-Person Tent", _D("249.00"), _D("120.00"), 25),
    Product("US-1006", "Down Sleeping Bag", _D("199.00"), _D("95.00"), 30),
    Product("US-1007", "Folding Camp Chair", _D("45.00"), _D("18.00"), 80),
    Product("US-1008", "Trekking Poles (pair)", _D("79.00"), _D("31.00"), 70),
    Product("US-1009", "Wireless Desk Keyboard", _D("59.00"), _D("24.00"), 120),
    Product("US-1010", "Ergonomic Mouse", _D("39.00"), _D("15.00"), 160),
    Product("US-1011", "27-inch Monitor Arm", _D("119.00"), _D("52.00"), 40),
    Product("US-1012", "USB-C Docking Station", _D("149.00"), _D("70.00"), 45),
    Product("US-1013", "Noise-Cancelling Headphones", _D("229.00"), _D("110.00"), 35),
    Product("US-1014", "LED Desk Lamp", _D("42.00"), _D("16.50"), 90),
    Product("US-1015", "A5 Dotted Notebook", _D("12.00"), _D("3.80"), 500),
    Product("US-1016", "Fountain Pen", _D("65.00"), _D("22.00"), 55),
    Product("US-1017", "Chef's Knife 8-inch", _D("95.00"), _D("38.00"), 50),
    Product("US-1018", "Cast Iron Skillet 12-inch", _D("54.00"), _D("21.00"), 65),
    Product("US-1019", "Bamboo Cutting Board", _D("28.00"), _D("9.00"), 110),
    Product("US-1020", "Pour-Over Coffee Kit", _D("48.00"), _D("19.00"), 75),
    Product("US-1021", "Yoga Mat", _D("38.00"), _D("14.00"), 130),
    Product("US-1022", "Adjustable Dumbbell Set", _D("299.00"), _D("150.00"), 20),
    Product("US-1023", "Resistance Bands Kit", _D("26.00"), _D("8.50"), 140),
    Product("US-1024", "Bike Repair Toolkit", _D("58.00"), _D("23.00"), 60),
    Product("US-1025", "Bicycle Helmet", _D("69.00"), _D("28.00"), 85),
    Product("US-1026", "Marine Dry Bag 20 L", _D("34.00"), _D("12.00"), 95),
    Product("US-1027", "Acoustic Guitar Strings", _D("14.00"), _D("4.50"), 300),
    Product("US-1028", "Studio Monitor Speakers", _D("349.00"), _D("170.00"), 15),
    Product("US-1029", "Handmade Ceramic Vase", _D("85.00"), _D("30.00"), 3),
    Product("US-1030", "Limited Edition Print", _D("150.00"), _D("45.00"), 1),
    Product("US-1031", "Vintage Espresso Grinder", _D("420.00"), _D("210.00"), 2),
    Product("US-1032", "Solar Camping Lantern", _D("36.00"), _D("13.00"), 100),
)

LOW_STOCK_CODES = ("US-1029", "US-1030", "US-1031")

# Sales use the "fulfillment" invoice method: the customer invoice is created when the shipment
# is done, so "invoiced" and "paid" sales have a done shipment and a posted invoice.
HISTORIC_SALES = (
    HistoricSale("HIST-01", "Pacific Trail Outfitters", (("US-1001", 10), ("US-1004", 4)),
                 "paid", 40),
    HistoricSale("HIST-02", "Hudson Office Supply", (("US-1009", 5), ("US-1010", 5),
                                                     ("US-1015", 20)), "invoiced", 30),
    HistoricSale("HIST-03", "Maple Leaf Traders", (("US-1005", 2), ("US-1006", 2)),
                 "invoiced", 21),
    HistoricSale("HIST-04", "Lakeshore Kitchens", (("US-1017", 3), ("US-1018", 4),
                                                   ("US-1019", 6)), "invoiced", 14),
    HistoricSale("HIST-05", "Evergreen Cycles", (("US-1024", 2), ("US-1025", 6)),
                 "assigned", 7),
    HistoricSale("HIST-06", "Mont-Royal Fournitures", (("US-1012", 3),), "confirmed", 5),
    HistoricSale("HIST-07", "Front Range Climbing", (("US-1003", 4), ("US-1008", 4)),
                 "quotation", 3),
    HistoricSale("HIST-08", "Bow River Supply", (("US-1021", 12), ("US-1023", 12)),
                 "quotation", 2),
    HistoricSale("HIST-09", "Rose City Coffee Roasters", (("US-1020", 5), ("US-1002", 10)),
                 "draft", 1),
)  # fmt: skip
