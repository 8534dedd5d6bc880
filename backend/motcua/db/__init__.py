"""Database: the engine, the base model and the Alembic migrations."""
