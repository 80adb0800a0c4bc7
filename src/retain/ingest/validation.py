"""Turning the text cells of an import file into typed records, naming every bad value.

:func:`prepare` maps the columns, parses every field, derives the values a
kind needs (minor units, order status from refunds, feedback scales) and
returns the records in the store's column names with the problems found:
file, row, column, value and reason for each.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from retain.errors import Problem
from retain.ingest import values as v
from retain.ingest.fields import CHOICES, FIELDS, Field
from retain.ingest.mapping import ColumnMap
from retain.ingest.reader import RawTable

UTC_ZONE = ZoneInfo("UTC")
#: default scales of feedback kinds: (lowest, highest) score
SCALES = {"nps": (0, 10), "csat": (1, 5), "review": (1, 5)}


@dataclass
class Prepared:
    """Typed records ready for the store, and the problems that kept rows out."""

    kind: str
    records: pd.DataFrame  # store column names; index = position in the file
    rows: pd.Series  # spreadsheet row number per record
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> set[int]:
        """Spreadsheet row numbers with at least one problem."""
        return {p.row for p in self.problems if p.row}


class _Collector:
    """Gathers problems of one file, with row numbers and the original cell text."""

    def __init__(self, raw: RawTable, columns: ColumnMap) -> None:
        self.raw, self.columns, self.problems = raw, columns, []

    def add(self, fname: str, errors: dict[int, str], header: str | None = None) -> None:
        header = header or self.columns.fields.get(fname, fname)
        cells = self.raw.cells.get(header)
        for idx, reason in errors.items():
            value = "" if cells is None or cells.loc[idx] is None else str(cells.loc[idx])
            self.problems.append(
                Problem(self.raw.file, int(self.raw.rows.loc[idx]), header, value, reason)
            )


def prepare(
    raw: RawTable,
    kind: str,
    columns: ColumnMap,
    *,
    timezone: tzinfo,
    currency: str,
    date_format: str | None = None,
    known_users: set[str] | None = None,
) -> Prepared:
    """Parse ``raw`` as records of ``kind``; see the module docstring."""
    cells = _fold_line_items(raw, columns) if kind == "orders" else raw.cells
    raw = RawTable(raw.file, raw.headers, cells, raw.rows.loc[cells.index], raw.checksum)
    out = _Collector(raw, columns)
    specs = {f.name: f for f in FIELDS[kind]}
    parsed: dict[str, pd.Series] = {}
    for name, header in columns.fields.items():
        spec = specs[name]
        if spec.type == "money":
            continue  # needs the currency first
        tz = UTC_ZONE if name in columns.utc_fields() else timezone
        result = _parse(spec, cells[header], tz, date_format)
        out.add(name, result.errors)
        parsed[name] = result.values.where(~result.values.index.isin(result.errors), None)
    empty = pd.Series([None] * len(cells), index=cells.index, dtype="object")
    for name in columns.fields:
        if specs[name].required:
            missing = cells[columns.fields[name]].isna()
            out.add(name, {int(i): "required value is empty" for i in missing[missing].index})
    if kind in ("orders", "interactions", "feedback"):
        _check_customer_ref(parsed, out, cells.index, required=kind != "feedback")
    builder = {
        "customers": _customers,
        "orders": _orders,
        "interactions": _interactions,
        "feedback": _feedback,
    }[kind]
    records = builder(parsed, cells, columns, out, empty, currency, known_users or set())
    _check_duplicates(records, out, columns)
    return Prepared(kind, records, raw.rows, out.problems, columns.ignored)


def _parse(spec: Field, text: pd.Series, tz: tzinfo, date_format: str | None) -> v.Parsed:
    kind = spec.type
    if kind == "timestamp":
        return v.parse_timestamp(text, tz, date_format)
    if kind == "email":
        return v.parse_email(text)
    if kind == "int":
        return (
            v.parse_int(text, 0, 2200)
            if spec.name != "birth_year"
            else v.parse_int(text, 1880, 2100)
        )
    if kind == "bool":
        return v.parse_bool(text)
    if kind == "country":
        return v.parse_country(text)
    if kind == "currency":
        return v.parse_currency(text)
    if kind == "score":
        return v.parse_score(text)
    if kind == "choice":
        assert spec.choices
        return v.parse_choice(text, CHOICES[spec.choices], spec.name.replace("_", " "))
    if kind == "tags":
        tags = text.map(
            lambda t: sorted({x.strip() for x in t.replace(",", ";").split(";") if x.strip()}),
            na_action="ignore",
        )
        return v.Parsed(tags)
    return v.parse_text(text, 5000 if spec.name in ("note", "comment") else 500)


def _fold_line_items(raw: RawTable, columns: ColumnMap) -> pd.DataFrame:
    """Drop line-item continuation rows (Shopify: same order id, no total) of an orders file."""
    cells = raw.cells
    id_col, amount_col = columns.fields.get("external_id"), columns.fields.get("amount")
    if id_col is None or amount_col is None:
        return cells
    continuation = cells[id_col].duplicated(keep="first") & cells[amount_col].isna()
    return cells[~continuation] if continuation.any() else cells


def _check_customer_ref(
    parsed: dict[str, pd.Series], out: _Collector, index: pd.Index, required: bool
) -> None:
    ext = parsed.get("customer_external_id", pd.Series(None, index=index, dtype="object"))
    email = parsed.get("customer_email", pd.Series(None, index=index, dtype="object"))
    if required:
        neither = ext.isna() & email.isna()
        header = out.columns.fields.get("customer_external_id") or out.columns.fields.get(
            "customer_email", "customer_id"
        )
        out.add(
            "customer_external_id",
            {
                int(i): "no customer: give a customer id or a customer e-mail"
                for i in neither[neither].index
            },
            header,
        )


def _keep(parsed: dict[str, pd.Series], names: tuple[str, ...]) -> dict[str, pd.Series]:
    return {n: parsed[n] for n in names if n in parsed}


def _customers(parsed, cells, columns, out, empty, currency, known_users) -> pd.DataFrame:
    rec = _keep(
        parsed,
        (
            "name",
            "email",
            "phone",
            "company",
            "birth_year",
            "age_band",
            "gender",
            "profession",
            "income_band",
            "city",
            "region",
            "country",
            "postal_code",
            "acquisition_channel",
            "email_consent",
            "do_not_contact",
            "do_not_contact_reason",
            "tags",
            "first_seen_at",
        ),
    )
    if "name" not in rec and ("first_name" in parsed or "last_name" in parsed):
        first = parsed.get("first_name", empty).fillna("")
        last = parsed.get("last_name", empty).fillna("")
        joined = (first + " " + last).str.strip()
        rec["name"] = joined.where(joined != "", None)
    ext = parsed.get("external_id", empty)
    email = parsed.get("email", empty)
    rec["external_id"] = ext.where(ext.notna(), email)
    no_key = rec["external_id"].isna()
    out.add(
        "external_id",
        {int(i): "no customer id and no e-mail: give one of them" for i in no_key[no_key].index},
        columns.fields.get("external_id") or columns.fields.get("email", "customer_id"),
    )
    if "owner" in parsed:
        owner = parsed["owner"]
        unknown = owner.notna() & ~owner.isin(known_users)
        out.add(
            "owner",
            {
                int(i): "unknown user; add it first with 'retain users add'"
                for i in unknown[unknown].index
            },
        )
        rec["owner_username"] = owner
    if "do_not_contact" in rec:
        rec["do_not_contact"] = rec["do_not_contact"].fillna(False)
    if columns.ignored:
        extra = cells[columns.ignored]
        rec["attributes"] = pd.Series(
            [
                ({k: x for k, x in row.items() if x is not None} or None)
                for row in extra.to_dict(orient="records")
            ],
            index=cells.index,
            dtype="object",
        )
    return pd.DataFrame(rec, index=cells.index)


def _money(name: str, cells, columns, out, code: pd.Series) -> pd.Series | None:
    header = columns.fields.get(name)
    if header is None:
        return None
    result = v.parse_money(cells[header], code)
    out.add(name, result.errors)
    return result.values.where(~result.values.index.isin(result.errors), pd.NA)


def _orders(parsed, cells, columns, out, empty, currency, known_users) -> pd.DataFrame:
    rec = _keep(
        parsed,
        (
            "external_id",
            "customer_external_id",
            "customer_email",
            "customer_name",
            "ordered_at",
            "product_category",
            "channel",
        ),
    )
    # object first: a column of only blanks arrives as float64, which refuses a text fill
    code = parsed.get("currency", empty).astype(object).fillna(currency)
    rec["currency"] = code
    amount = _money("amount", cells, columns, out, code)
    refunded = _money("refunded_amount", cells, columns, out, code)
    cost = _money("cost", cells, columns, out, code)
    assert amount is not None
    rec["amount_minor"] = amount
    rec["refunded_minor"] = (refunded if refunded is not None else amount * 0).fillna(0)
    if cost is not None:
        rec["cost_minor"] = cost
    over = (rec["refunded_minor"] > amount).fillna(False).astype(bool)
    out.add(
        "refunded_amount", {int(i): "refund larger than the order amount" for i in over[over].index}
    )
    refund = rec["refunded_minor"].fillna(0).to_numpy(dtype="int64")
    full = (rec["refunded_minor"] >= amount).fillna(False).to_numpy(dtype=bool)
    derived = pd.Series(
        np.where(refund <= 0, "paid", np.where(full, "refunded", "partially_refunded")),
        index=cells.index,
    )
    status = parsed.get("status")
    rec["status"] = derived if status is None else status.fillna(derived)
    return pd.DataFrame(rec, index=cells.index)


def _content_ids(prefix: str, frame: pd.DataFrame, names: list[str]) -> pd.Series:
    """Stable ids from the content of rows without an id of their own."""
    text = pd.Series("", index=frame.index, dtype="object")
    for name in names:
        text = text + "|" + frame[name].map(str, na_action="ignore").fillna("").astype(object)
    return text.map(lambda t: prefix + hashlib.sha1(t.encode()).hexdigest()[:20])


def _interactions(parsed, cells, columns, out, empty, currency, known_users) -> pd.DataFrame:
    rec = _keep(
        parsed,
        (
            "customer_external_id",
            "customer_email",
            "occurred_at",
            "channel",
            "direction",
            "kind",
            "note",
            "by_whom",
        ),
    )
    frame = pd.DataFrame(rec, index=cells.index)
    if "direction" not in frame:
        frame["direction"] = "outbound"
    frame["direction"] = frame["direction"].fillna("outbound")
    ext = parsed.get("external_id", empty)
    derived = _content_ids("t:", frame, list(frame.columns))
    frame["external_id"] = ext.where(ext.notna(), derived)
    return frame


def _feedback(parsed, cells, columns, out, empty, currency, known_users) -> pd.DataFrame:
    rec = _keep(
        parsed,
        ("customer_external_id", "customer_email", "source", "category", "comment", "responded_at"),
    )
    frame = pd.DataFrame(rec, index=cells.index)
    score = parsed["score"]
    survey = parsed.get("survey", empty)
    kind = parsed.get("kind", empty).copy()
    high = score.dropna().map(float).max() if score.notna().any() else 0
    guess = "nps" if high > 5 else "review"
    kind = kind.where(kind.notna(), np.where(survey.notna(), guess, "review"))
    low_default = kind.map(lambda k: SCALES[k][0])
    high_default = kind.map(lambda k: SCALES[k][1])
    lo = parsed.get("scale_min", empty).astype("object").fillna(low_default).astype("Int64")
    hi = parsed.get("scale_max", empty).astype("object").fillna(high_default).astype("Int64")
    bad_scale = (hi <= lo).fillna(False)
    out.add(
        "scale_max",
        {int(i): "scale maximum must be above its minimum" for i in bad_scale[bad_scale].index},
    )
    errors: dict[int, str] = {}
    nps = pd.Series(pd.NA, index=cells.index, dtype="Int64")
    for idx in score.dropna().index:
        value, low, top = Decimal(score[idx]), int(lo[idx]), int(hi[idx])
        if top <= low:
            continue
        if not low <= value <= top:
            errors[int(idx)] = f"score outside its scale {low}..{top}"
        elif (low, top) == (0, 10) and value != value.to_integral_value():
            errors[int(idx)] = "NPS scores are whole numbers 0..10"
        else:
            nps[idx] = int(
                (Decimal(10) * (value - low) / (top - low)).quantize(Decimal(1), "ROUND_HALF_UP")
            )
    out.add("score", errors)
    frame["kind"] = kind
    frame["score"] = score.map(lambda d: None if d is None else str(d), na_action="ignore")
    frame["score_min"], frame["score_max"], frame["nps_score"] = lo, hi, nps
    source = parsed.get("source", empty)
    frame["source"] = source.where(source.notna(), np.where(survey.notna(), "survey", "import"))
    frame["survey_name"] = survey
    ext = parsed.get("external_id", empty)
    key_cols = [
        c
        for c in (
            "customer_external_id",
            "customer_email",
            "source",
            "responded_at",
            "score",
            "comment",
            "category",
            "survey_name",
        )
        if c in frame
    ]
    frame["external_id"] = ext.where(ext.notna(), _content_ids("f:", frame, key_cols))
    return frame


def _check_duplicates(records: pd.DataFrame, out: _Collector, columns: ColumnMap) -> None:
    ids = records["external_id"]
    dup = ids.notna() & ids.duplicated(keep="first")
    if not dup.any():
        return
    first_row = {}
    for idx, value in ids[ids.notna()].items():
        first_row.setdefault(value, int(out.raw.rows.loc[idx]))
    header = columns.fields.get("external_id", "(whole row)")
    out.add(
        "external_id",
        {
            int(i): f"duplicate id inside the file (first at row {first_row[ids[i]]})"
            for i in dup[dup].index
        },
        header,
    )


def tags_json(tags: pd.Series) -> pd.Series:
    """Tag lists as JSON text (for the SQLite store)."""
    return tags.map(json.dumps, na_action="ignore")
