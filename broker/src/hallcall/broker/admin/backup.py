"""A consistent copy of the database while the hall runs.

SQLite: the online backup API copies a consistent snapshot page by page while writers go on.
PostgreSQL: pg_dump reads one snapshot of the whole database (custom format, for pg_restore).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def backup(url: str, target: Path) -> Path:
    parsed = make_url(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite":
        source = parsed.database
        if not source or source == ":memory:" or not Path(source).exists():
            raise BackupError(f"no SQLite database at {source!r}")
        tmp = target.with_suffix(target.suffix + ".partial")
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"the copy failed its integrity check: {check}")
        finally:
            dst.close()
            src.close()
        os.replace(tmp, target)
        return target
    if parsed.get_backend_name() == "postgresql":
        if shutil.which("pg_dump") is None:
            raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
        env = {**os.environ}
        if parsed.password:
            env["PGPASSWORD"] = parsed.password
        cmd = [
            "pg_dump",
            "--format=custom",
            f"--file={target}",
            "--no-password",
            f"--host={parsed.host or 'localhost'}",
            f"--port={parsed.port or 5432}",
            f"--username={parsed.username or os.environ.get('USER', 'postgres')}",
            parsed.database or "postgres",
        ]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return target
    raise BackupError(f"cannot back up a {parsed.get_backend_name()} database")
