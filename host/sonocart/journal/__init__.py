"""The journal: an append-only, hash-chained event store in owner-only files, below procedures and records."""
