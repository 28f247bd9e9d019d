"""Storage: the schema and its migrations, the database engines, the sequenced streams and
the batched writer, the bus that wakes their readers, and the lease that says which node
owns the engine. Imports nothing of tapline above it."""
