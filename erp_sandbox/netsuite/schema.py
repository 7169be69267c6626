"""The sandbox's tables: those of NetSuite's SuiteQL analytics data source that the gateway
reads, with SuiteQL's lower-case table and column names, so a SuiteQL query runs on them as
it is. Booleans are ``'T'``/``'F'`` as SuiteQL answers them; timestamps are text
``YYYY-MM-DD HH24:MI:SS`` (UTC), dates ``YYYY-MM-DD``.

Transactions (sales orders ``SalesOrd``, item fulfillments ``ItemShip``, invoices
``CustInvc``, inventory adjustments ``InvAdjst``) live in ``transaction`` and their lines in
``transactionline``; as in NetSuite, a sales transaction's item lines carry *negative*
quantities and amounts (the ledger's sign), its main line (``mainline = 'T'``) none. Which
fulfillment or invoice line came from which order line is in ``previoustransactionlinelink``
(``linktype`` ``ShipRcpt`` and ``OrdBill``). An item's ``istaxable`` says whether sales tax
applies to it; a sales transaction's ``taxtotal`` is the tax on its taxable lines and its
``foreigntotal`` the total with tax.
"""

from __future__ import annotations

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS currency (id INTEGER PRIMARY KEY, symbol TEXT, name TEXT);
CREATE TABLE IF NOT EXISTS subsidiary (id INTEGER PRIMARY KEY, name TEXT, currency INTEGER);
CREATE TABLE IF NOT EXISTS department (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE IF NOT EXISTS classification (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE IF NOT EXISTS location (
    id INTEGER PRIMARY KEY, name TEXT, fullname TEXT, subsidiary INTEGER,
    isinactive TEXT DEFAULT 'F');
CREATE TABLE IF NOT EXISTS entityaddress (
    nkey INTEGER PRIMARY KEY, addr1 TEXT, city TEXT, zip TEXT, state TEXT, country TEXT);
CREATE TABLE IF NOT EXISTS customer (
    id INTEGER PRIMARY KEY, entityid TEXT, companyname TEXT, isperson TEXT, firstname TEXT,
    lastname TEXT, email TEXT, isinactive TEXT DEFAULT 'F', creditlimit REAL,
    creditholdoverride TEXT DEFAULT 'AUTO', currency INTEGER, subsidiary INTEGER,
    defaultbillingaddress INTEGER, externalid TEXT UNIQUE, datecreated TEXT,
    lastmodifieddate TEXT);
CREATE TABLE IF NOT EXISTS item (
    id INTEGER PRIMARY KEY, itemid TEXT UNIQUE, displayname TEXT, itemtype TEXT,
    isinactive TEXT DEFAULT 'F', class INTEGER, weight REAL, weightunit TEXT,
    stockunit TEXT, externalid TEXT UNIQUE, lastmodifieddate TEXT, istaxable TEXT DEFAULT 'T');
CREATE TABLE IF NOT EXISTS pricing (
    item INTEGER, pricelevel INTEGER, currency INTEGER, unitprice REAL);
CREATE TABLE IF NOT EXISTS inventoryitemlocations (
    item INTEGER, location INTEGER, quantityonhand REAL, quantitycommitted REAL,
    quantityavailable REAL, lastmodifieddate TEXT, PRIMARY KEY (item, location));
CREATE TABLE IF NOT EXISTS "transaction" (
    id INTEGER PRIMARY KEY, tranid TEXT, type TEXT, entity INTEGER, trandate TEXT,
    status TEXT, otherrefnum TEXT, externalid TEXT, memo TEXT, currency INTEGER,
    subsidiary INTEGER, foreigntotal REAL, taxtotal REAL, createddate TEXT,
    lastmodifieddate TEXT, UNIQUE (type, externalid));
CREATE TABLE IF NOT EXISTS transactionline (
    id INTEGER, "transaction" INTEGER, linesequencenumber INTEGER, mainline TEXT,
    item INTEGER, quantity REAL, rate REAL, netamount REAL, location INTEGER, memo TEXT,
    quantityshiprecv REAL, quantitybilled REAL, isclosed TEXT DEFAULT 'F',
    PRIMARY KEY ("transaction", id));
CREATE TABLE IF NOT EXISTS previoustransactionlinelink (
    previousdoc INTEGER, previousline INTEGER, nextdoc INTEGER, nextline INTEGER,
    linktype TEXT, quantity REAL);
CREATE TABLE IF NOT EXISTS employee (
    id INTEGER PRIMARY KEY, entityid TEXT, firstname TEXT, lastname TEXT, title TEXT,
    department INTEGER, subsidiary INTEGER, hiredate TEXT, releasedate TEXT,
    isinactive TEXT DEFAULT 'F', employeestatus TEXT, basewage REAL, basewagetype TEXT,
    payfrequency TEXT, currency INTEGER, externalid TEXT UNIQUE, lastmodifieddate TEXT);
CREATE TABLE IF NOT EXISTS employeedirectdeposit (
    employee INTEGER, bankname TEXT, accountnumber TEXT, routingnumber TEXT, iban TEXT,
    bic TEXT, country TEXT, isprimary TEXT DEFAULT 'T');
"""

TABLES = (
    "currency", "subsidiary", "department", "classification", "location", "entityaddress",
    "customer", "item", "pricing", "inventoryitemlocations", "transaction", "transactionline",
    "previoustransactionlinelink", "employee", "employeedirectdeposit",
)  # fmt: skip
"""The tables SuiteQL may read (``meta`` is the sandbox's own)."""
