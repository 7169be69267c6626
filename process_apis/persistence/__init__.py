"""Gateway state in SQL (SQLite by default, PostgreSQL by URL) through SQLAlchemy."""
