"""SAP SuccessFactors Employee Central: a connection kind of its own that an S/4HANA
connection is paired with to read employees (see :mod:`.connector`)."""
