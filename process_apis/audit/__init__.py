"""The tamper-evident audit log: who did what, when, to which ERP record, with what result."""
