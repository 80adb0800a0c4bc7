"""``retain demo``: a realistic synthetic business in a fresh database, end to end."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from retain.cli.common import DbOption, OutputFormat, cli_store, console, emit, progress_bar
from retain.config import DEFAULT_DEMO_DB_FILE, database_url, load_settings
from retain.demo.run import run_demo
from retain.errors import ConfigError
from retain.store.queries import record_counts


def demo(
    customers: Annotated[int, typer.Option("--customers", help="How many customers.")] = 5000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same business.")] = 7,
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Where to write the demo CSV files.")
    ] = Path("retain-demo-data"),
    db: DbOption = None,
) -> None:
    """Create a demo business (retain-demo.db unless --db) and import it like real data."""
    settings = load_settings()
    if not settings.sections.get("business", {}).get("currency"):
        settings = replace(settings, currency="EUR", timezone="Europe/Berlin")
    url = database_url(db, replace(settings, database_url=None), DEFAULT_DEMO_DB_FILE)
    if db is None and url.startswith("sqlite:///"):  # the demo's own file is made afresh
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    store = cli_store(url)
    if any(n for k, n in record_counts(store).items() if k != "import_batches"):
        raise ConfigError(
            f"{store!r} already holds records; the demo needs an empty database (give another --db)"
        )
    started = datetime.now(UTC)
    with progress_bar() as bar:
        gen = bar.add_task(f"generating {customers:,} customers", total=None)

        def on_import(kind: str, path: Path):
            bar.update(gen, visible=False)
            task = bar.add_task(f"importing {kind}", total=None)

            def hook(phase: str, done: int, total: int) -> None:
                bar.update(task, total=total or None, advance=done)

            return hook

        report = run_demo(
            store,
            data_dir,
            n_customers=customers,
            end=started.date(),
            seed=seed,
            settings=settings,
            on_import=on_import,
        )
    seconds = (datetime.now(UTC) - started).total_seconds()
    counts = record_counts(store)
    console.print(f"[bold]Demo business ready[/bold] in {seconds:.1f} s: {store!r}")
    console.print(
        f"  {counts['customers']:,} customers, {counts['orders']:,} orders, "
        f"{counts['interactions']:,} touchpoints, {counts['feedback']:,} survey answers "
        f"and reviews, {report.cases_opened:,} follow-up cases opened for recent detractors"
    )
    console.print(f"  CSV files and ground truth in {report.folder}/")
    if report.stages is not None:
        emit(report.stages, OutputFormat.table, title=f"Life cycle as of {started.date()}")
    if report.nps:
        n = report.nps
        console.print(
            f"NPS of {n['survey']}: {n['score']:+.0f} ± {n['margin_of_error']:.0f} "
            f"(95%, n = {n['n']:,} answers)"
        )
    console.print(
        f"Team: {', '.join(f'{u} ({r})' for u, r in report.team.items())}; "
        "set a password before logging in: retain users passwd owner"
        + ("" if db is None else f" --db {db}")
    )
    dbarg = f" --db {db}" if db else f" --db {DEFAULT_DEMO_DB_FILE}"
    console.print("\nNext, try:")
    for command in (
        f"retain lifecycle --customers{dbarg}",
        f"retain lifecycle --explain C000002{dbarg}",
        f"retain nps --by month{dbarg}",
        f"retain cases list{dbarg}",
        f"retain serve{dbarg}",
        f"retain import orders {report.files['orders']} --db my.db",
    ):
        console.print(f"  {command}")
