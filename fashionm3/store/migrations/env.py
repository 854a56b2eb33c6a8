"""Alembic environment: migrations run on the connection the store hands over (never from a config file)."""

from alembic import context

from fashionm3.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
