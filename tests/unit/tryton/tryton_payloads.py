"""Answers of a real trytond 8.2 (sale, stock, account_invoice_stock) to the adapter's calls.

Captured from a throwaway database and indented: the JSON-RPC bodies, ``__class__`` objects
included.
"""

from __future__ import annotations

from typing import Any

from system_apis.tryton import codec

CUSTOMERS = r"""
{
 "id": 1,
 "result": [
  {
   "name": "Customer 01 GmbH",
   "id": 2,
   "active": 1,
   "write_date": {
    "__class__": "datetime",
    "year": 2026,
    "month": 11,
    "day": 23,
    "hour": 23,
    "minute": 39,
    "second": 11,
    "microsecond": 532893
   },
   "create_date": {
    "__class__": "datetime",
    "year": 2026,
    "month": 11,
    "day": 23,
    "hour": 23,
    "minute": 39,
    "second": 11,
    "microsecond": 532893
   },
   "addresses.": [
    {
     "city": "Berlin",
     "postal_code": "10001",
     "id": 2,
     "street_single_line": "Street 1",
     "country.": {
      "code": "DE",
      "id": 1
     },
     "subdivision.": null
    }
   ]
  },
  {
   "name": "Customer 02 SARL",
   "id": 3,
   "active": 1,
   "write_date": {
    "__class__": "datetime",
    "year": 2026,
    "month": 11,
    "day": 23,
    "hour": 23,
    "minute": 39,
    "second": 11,
    "microsecond": 750776
   },
   "create_date": {
    "__class__": "datetime",
    "year": 2026,
    "month": 11,
    "day": 23,
    "hour": 23,
    "minute": 39,
    "second": 11,
    "microsecond": 750776
   },
   "addresses.": [
    {
     "city": "Paris",
     "postal_code": "10002",
     "id": 3,
     "street_single_line": "Street 2",
     "country.": {
      "code": "FR",
      "id": 2
     },
     "subdivision.": null
    }
   ]
  }
 ]
}
"""

PRODUCTS = r"""
{
 "id": 1,
 "result": [
  {
   "id": 1,
   "code": "SKU-001",
   "active": 1,
   "list_price_used": {
    "__class__": "Decimal",
    "decimal": "11"
   },
   "type": "goods",
   "name": "Widget 01",
   "default_uom.": {
    "symbol": "u",
    "digits": 0,
    "id": 1
   },
   "categories.": []
  },
  {
   "id": 21,
   "code": "SKU-021",
   "active": 1,
   "list_price_used": {
    "__class__": "Decimal",
    "decimal": "31"
   },
   "type": "goods",
   "name": "Widget 21",
   "default_uom.": {
    "symbol": "u",
    "id": 1
   },
   "categories.": []
  }
 ]
}
"""

STOCK = r"""
{
 "id": 1,
 "result": [
  {
   "id": 1,
   "code": "SKU-001",
   "quantity": 101.0,
   "default_uom.": {
    "symbol": "u",
    "id": 1
   }
  },
  {
   "id": 2,
   "code": "SKU-002",
   "quantity": 102.0,
   "default_uom.": {
    "symbol": "u",
    "id": 1
   }
  }
 ]
}
"""

WAREHOUSES = r"""
{
 "id": 1,
 "result": [
  {
   "storage_location": 3,
   "name": "Warehouse",
   "id": 5,
   "code": "WH",
   "storage_location.": {
    "name": "Storage Zone",
    "code": "STO",
    "id": 3
   }
  }
 ]
}
"""

SALES = r"""
{
 "id": 1,
 "result": [
  {
   "write_date": {
    "__class__": "datetime",
    "year": 2026,
    "month": 11,
    "day": 23,
    "hour": 23,
    "minute": 48,
    "second": 3,
    "microsecond": 743414
   },
   "number": "3",
   "state": "processing",
   "create_date": {
    "__class__": "datetime",
    "year": 2026,
    "month": 11,
    "day": 23,
    "hour": 23,
    "minute": 47,
    "second": 59,
    "microsecond": 874681
   },
   "invoice_state": "awaiting payment",
   "sale_date": {
    "__class__": "date",
    "year": 2026,
    "month": 11,
    "day": 23
   },
   "id": 4,
   "reference": "PO-1",
   "party": 2,
   "shipment_state": "sent",
   "untaxed_amount": {
    "__class__": "Decimal",
    "decimal": "40.00"
   },
   "tax_amount": {
    "__class__": "Decimal",
    "decimal": "7.60"
   },
   "total_amount": {
    "__class__": "Decimal",
    "decimal": "47.60"
   },
   "lines.": [
    {
     "type": "line",
     "quantity": 2.0,
     "description": null,
     "id": 3,
     "amount": {
      "__class__": "Decimal",
      "decimal": "26.00"
     },
     "product.": {
      "code": "SKU-003",
      "id": 3
     },
     "unit.": {
      "symbol": "u",
      "id": 1
     }
    },
    {
     "type": "line",
     "quantity": 1.0,
     "description": null,
     "id": 4,
     "amount": {
      "__class__": "Decimal",
      "decimal": "14.00"
     },
     "product.": {
      "code": "SKU-004",
      "id": 4
     },
     "unit.": {
      "symbol": "u",
      "id": 1
     }
    }
   ],
   "currency.": {
    "code": "EUR",
    "id": 1
   },
   "warehouse.": {
    "name": "Warehouse",
    "code": "WH",
    "id": 5,
    "storage_location.": {
     "name": "Storage Zone",
     "code": "STO",
     "id": 3
    }
   }
  }
 ]
}
"""

SHIPMENTS = r"""
{
 "id": 1,
 "result": [
  {
   "effective_date": {
    "__class__": "date",
    "year": 2026,
    "month": 11,
    "day": 23
   },
   "number": "3",
   "create_date": {
    "__class__": "datetime",
    "year": 2026,
    "month": 11,
    "day": 23,
    "hour": 23,
    "minute": 48,
    "second": 0,
    "microsecond": 424351
   },
   "state": "done",
   "customer": 2,
   "id": 3,
   "outgoing_moves.": [
    {
     "quantity": 2.0,
     "state": "done",
     "origin": "sale.line,3",
     "id": 25,
     "sale": 4,
     "product.": {
      "code": "SKU-003",
      "id": 3
     },
     "unit.": {
      "symbol": "u",
      "id": 1
     }
    },
    {
     "quantity": 1.0,
     "state": "done",
     "origin": "sale.line,4",
     "id": 26,
     "sale": 4,
     "product.": {
      "code": "SKU-004",
      "id": 4
     },
     "unit.": {
      "symbol": "u",
      "id": 1
     }
    }
   ],
   "warehouse.": {
    "name": "Warehouse",
    "code": "WH",
    "id": 5,
    "storage_location.": {
     "name": "Storage Zone",
     "code": "STO",
     "id": 3
    }
   }
  }
 ]
}
"""

INVOICES = r"""
{
 "id": 1,
 "result": [
  {
   "number": "2",
   "create_date": {
    "__class__": "datetime",
    "year": 2026,
    "month": 11,
    "day": 23,
    "hour": 23,
    "minute": 48,
    "second": 2,
    "microsecond": 66108
   },
   "state": "posted",
   "invoice_date": {
    "__class__": "date",
    "year": 2026,
    "month": 11,
    "day": 23
   },
   "id": 2,
   "party": 2,
   "sales": [
    4
   ],
   "untaxed_amount": {
    "__class__": "Decimal",
    "decimal": "40.00"
   },
   "tax_amount": {
    "__class__": "Decimal",
    "decimal": "7.60"
   },
   "total_amount": {
    "__class__": "Decimal",
    "decimal": "47.60"
   },
   "lines.": [
    {
     "type": "line",
     "quantity": 2.0,
     "origin": "sale.line,3",
     "id": 2,
     "amount": {
      "__class__": "Decimal",
      "decimal": "26.00"
     },
     "product.": {
      "code": "SKU-003",
      "id": 3
     },
     "unit.": {
      "symbol": "u",
      "id": 1
     },
     "stock_moves.": [
      {
       "shipment": "stock.shipment.out,3",
       "id": 25
      }
     ]
    },
    {
     "type": "line",
     "quantity": 1.0,
     "origin": "sale.line,4",
     "id": 3,
     "amount": {
      "__class__": "Decimal",
      "decimal": "14.00"
     },
     "product.": {
      "code": "SKU-004",
      "id": 4
     },
     "unit.": {
      "symbol": "u",
      "id": 1
     },
     "stock_moves.": [
      {
       "shipment": "stock.shipment.out,3",
       "id": 26
      }
     ]
    }
   ],
   "currency.": {
    "code": "EUR",
    "id": 1
   }
  }
 ]
}
"""

ON_CHANGE_PARTY = r"""
{
 "id": 1,
 "result": {
  "shipment_address.": {
   "rec_name": "Customer 01 GmbH, Street 1, 10001, Berlin, DE"
  },
  "shipment_address": 2,
  "invoice_address.": {
   "rec_name": "Customer 01 GmbH, Street 1, 10001, Berlin, DE"
  },
  "invoice_address": 2,
  "invoice_method": "fulfillment",
  "currency.": {
   "rec_name": "Euro"
  },
  "currency": 1,
  "company.": {
   "rec_name": "Dunder Mifflin"
  },
  "company": 1,
  "invoice_party": null,
  "shipment_method": "order",
  "party.": {
   "rec_name": "Customer 01 GmbH"
  },
  "party": 2,
  "shipment_party": null,
  "warehouse.": {
   "rec_name": "[WH] Warehouse"
  },
  "warehouse": 5,
  "payment_term.": {
   "rec_name": "Direct"
  },
  "payment_term": 10
 }
}
"""

ON_CHANGE_PRODUCT = r"""
{
 "id": 1,
 "result": {
  "unit.": {
   "rec_name": "Unit"
  },
  "unit": 1,
  "taxes": {
   "add": [
    [
     0,
     {
      "id": 1
     }
    ]
   ]
  },
  "unit_price": {
   "__class__": "Decimal",
   "decimal": "13.0000"
  },
  "type": "line",
  "amount": {
   "__class__": "Decimal",
   "decimal": "26.00"
  },
  "quantity": 2.0,
  "product.": {
   "rec_name": "[SKU-003] Widget 03"
  },
  "product": 3
 }
}
"""

PREFERENCES = r"""
{
 "id": 1,
 "result": {
  "company_filter": "one",
  "employees": [],
  "companies": [
   1
  ],
  "company": 1,
  "company.rec_name": "Dunder Mifflin",
  "language": "en",
  "language_direction": "ltr",
  "administrator": 1,
  "groups": [],
  "locale": {
   "date": "%m/%d/%Y",
   "grouping": [
    3,
    3,
    0
   ],
   "decimal_point": ".",
   "thousands_sep": ",",
   "mon_grouping": [
    3,
    3,
    0
   ],
   "mon_decimal_point": ".",
   "mon_thousands_sep": ",",
   "p_sign_posn": 1,
   "n_sign_posn": 1,
   "positive_sign": "",
   "negative_sign": "-",
   "p_cs_precedes": 1,
   "n_cs_precedes": 1,
   "p_sep_by_space": 0,
   "n_sep_by_space": 0
  }
 }
}
"""

MISSING = r"""
{
 "id": 1,
 "error": [
  "UserError",
  [
   "You are trying to read records \"9999\" of \"Party\" that don't exist.",
   "",
   null
  ]
 ]
}
"""

BUTTON_ERROR = r"""
{
 "id": 1,
 "error": [
  "UserError",
  [
   "You can not call \"pick\" on \"3\" of \"Stock Shipment Out\".",
   "",
   null
  ]
 ]
}
"""

GENERIC_ERROR = r"""
{
 "id": 1,
 "error": [
  "'no.model'",
  ""
 ]
}
"""


def result(body: str) -> Any:
    """The decoded ``result`` of a captured answer."""
    return codec.decode(body)["result"]


def error(body: str) -> Any:
    """The decoded ``error`` of a captured answer."""
    return codec.decode(body)["error"]
