"""Every model, imported once so metadata (and Alembic) sees all tables: the ``models.py`` of
every package of ``app/``, found by convention (a new programme adds its own, nothing here)."""
import importlib
from pathlib import Path

_HERE = Path(__file__).resolve().parent

for _path in sorted(_HERE.glob("*/models.py")):
    importlib.import_module(f"{__name__.rsplit('.', 1)[0]}.{_path.parent.name}.models")
