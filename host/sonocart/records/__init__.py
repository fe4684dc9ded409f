"""The durable procedure record: an append-only hash-chained journal and everything exported from it."""
