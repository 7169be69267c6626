"""The gateway's metrics: what each replica counts, and what it reads from the state database
when scraped (see docs/metrics.md for every series)."""
