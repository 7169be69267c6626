"""``python -m erp_sandbox.sap --port N``: serve the SAP sandbox."""

from erp_sandbox.sap.server import main

main()
