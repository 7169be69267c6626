"""Oracle NetSuite over SuiteTalk REST: the record service for writes, SuiteQL for reads."""
