"""Order-to-invoice: place an order, fulfil it, invoice it, follow its status."""
