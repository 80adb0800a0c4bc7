"""``retain demo``: generate the synthetic business and import it through the normal import path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from retain.config import Settings
from retain.ingest import ImportReport, import_file
from retain.store import Store

#: the order in which the demo files are imported (customers before what refers to them)
IMPORT_ORDER = ("customers", "orders", "interactions", "feedback")


@dataclass
class DemoReport:
    """The files written, and one import report per kind."""

    folder: Path
    files: dict[str, Path]
    imports: dict[str, ImportReport]
    params: dict


def run_demo(
    store: Store,
    folder: Path,
    *,
    n_customers: int,
    end: date,
    seed: int,
    settings: Settings,
    on_import: Callable[[str, Path], Callable[[str, int, int], None] | None] | None = None,
) -> DemoReport:
    """Write the demo business's CSV files to ``folder`` and import them into ``store``.

    ``on_import(kind, path)`` may return a progress hook for that file's import.
    """
    from retain.demo.generator import generate_business, write_business

    business = generate_business(n_customers, end=end, seed=seed, currency=settings.currency)
    folder.mkdir(parents=True, exist_ok=True)
    files = write_business(business, folder)
    imports = {}
    for kind in IMPORT_ORDER:
        hook = on_import(kind, files[kind]) if on_import else None
        imports[kind] = import_file(
            store, kind, files[kind], settings=settings, progress=hook, run_by="retain demo"
        )
    return DemoReport(folder, files, imports, business.params)
