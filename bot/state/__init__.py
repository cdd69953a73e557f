"""The state in SQLite: posts, the outbox table, migrations, reader queries, the lock."""
