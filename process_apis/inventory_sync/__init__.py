"""Inventory sync: goods a warehouse system received or issued, posted to the ERP's stock.

See :mod:`process_apis.inventory_sync.flow`.
"""
