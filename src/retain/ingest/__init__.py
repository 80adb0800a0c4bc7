"""Import of customers, orders, interactions and feedback from CSV and Parquet files."""

from retain.ingest.fields import KINDS
from retain.ingest.service import ImportReport, import_file

__all__ = ["KINDS", "ImportReport", "import_file"]
