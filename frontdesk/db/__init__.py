"""The database layer: engine factory, models, migrations. No Textual here."""

from frontdesk.db.engine import Database, DatabaseError, DatabaseUnavailable

__all__ = ["Database", "DatabaseError", "DatabaseUnavailable"]
