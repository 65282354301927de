"""Persistence of the queue: SQLAlchemy 2 models, Alembic migrations, one transaction per command."""
