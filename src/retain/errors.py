"""The one exception tree of Retain.

Every error a user can cause is a ``RetainError``; each knows its HTTP status,
so the web layer maps them to one problem-details shape and the CLI prints the
message and exits non-zero without a traceback::

    RetainError (400)
    ├── ConfigError (400)            bad setting, unknown database URL
    ├── StoreError (500)             the records store cannot be opened or upgraded
    ├── NotFoundError (404)          a customer, case or survey that does not exist
    ├── ConflictError (409)          changed by someone else (optimistic version check)
    ├── PermissionDeniedError (403)  the caller's role may not do this
    ├── InvalidInputError (422)      a value or table that cannot be used
    │   └── MissingColumnsError      a table lacks required columns
    └── ImportRejectedError (422)    an import file with bad rows; carries the problems
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class RetainError(Exception):
    """Base of every error a user can cause; ``status`` is its HTTP status."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(RetainError):
    """A setting or a database URL that cannot be used."""


class StoreError(RetainError):
    """The records store cannot be opened, read or upgraded."""

    status = 500


class NotFoundError(RetainError):
    """A record that was asked for does not exist."""

    status = 404


class ConflictError(RetainError):
    """A record was changed by someone else since it was read."""

    status = 409


class PermissionDeniedError(RetainError):
    """The caller's role may not do this."""

    status = 403


class InvalidInputError(RetainError):
    """A value or a table that cannot be used as given."""

    status = 422


class MissingColumnsError(InvalidInputError):
    """A table lacks columns a function needs."""

    def __init__(self, what: str, missing: Sequence[str], present: Sequence[str]) -> None:
        self.missing = list(missing)
        super().__init__(
            f"{what} is missing required column(s) {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(repr, present)) or 'no columns'}. "
            "Rename the columns or map them (for imports: --map SOURCE=FIELD)."
        )


@dataclass(frozen=True)
class Problem:
    """One rejected value of an import: where it is and why it was refused.

    ``row`` counts data rows from 1 as a spreadsheet shows them after the
    header (the header is row 1, so the first data row is row 2); 0 means the
    problem concerns the whole file (a missing column, an unreadable file).
    """

    file: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        col = f", column {self.column!r}" if self.column else ""
        val = f", value {shown!r}" if self.row else ""
        return f"{where}{col}{val}: {self.reason}"


class ImportRejectedError(InvalidInputError):
    """An import file with problems; nothing was written."""

    def __init__(self, problems: Sequence[Problem], total: int | None = None) -> None:
        self.problems = list(problems)
        count = total if total is not None else len(self.problems)
        head = "\n  ".join(str(p) for p in self.problems[:20])
        more = f"\n  ... and {count - 20} more" if count > 20 else ""
        super().__init__(
            f"import rejected, nothing was written: {count} problem(s)\n  {head}{more}\n"
            "Fix the file, map the columns with --map SOURCE=FIELD, "
            "or use --skip-bad to import the good rows."
        )
