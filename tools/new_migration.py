"""Write a new Alembic migration by comparing the models with the migrated schema.

    python tools/new_migration.py 0002 "queue: services, tickets"

Review the file it writes: autogenerate is a first draft, not the truth.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from alembic import command

from frontdesk.db.engine import Database
from frontdesk.db.migrate import MIGRATIONS, alembic_config


def main() -> None:
    rev_id, message = sys.argv[1], sys.argv[2]
    db = Database(f"sqlite:///{tempfile.mkdtemp()}/draft.sqlite3")
    if any((MIGRATIONS / "versions").glob("*.py")):
        command.upgrade(alembic_config(db), "head")
    command.revision(alembic_config(db), message, autogenerate=True, rev_id=rev_id)
    for path in (MIGRATIONS / "versions").glob(f"{rev_id}_*.py"):
        text = path.read_text()
        text = re.sub(
            r"frontdesk\.db\.types\.UTCDateTime\(timezone=True\)",
            "sa.DateTime(timezone=True)",
            text,
        )
        text = re.sub(r"\n *# ### .*Alembic.*###", "", text)
        path.write_text(text)
        print(f"wrote {path.relative_to(Path.cwd())}")


if __name__ == "__main__":
    main()
