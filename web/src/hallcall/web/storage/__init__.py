"""The web part's own small database: the dashboard's users and their sessions.

SQLAlchemy Core tables (`tables.py`), Alembic migrations (`migrations/`, run by `migrate.py`
with their own version table, so the web part may share a database file with the queue broker
without touching its schema), and the stores the dashboard and `hallcall web user` use
(`users.py`). SQLite by default (`--web-db`), PostgreSQL by URL.
"""
