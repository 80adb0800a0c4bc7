"""Which file column feeds which field: ``--map`` overrides, then recognised headers."""

from __future__ import annotations

from dataclasses import dataclass

from retain.errors import ImportRejectedError, InvalidInputError, Problem
from retain.ingest.fields import EXPORT_PROFILES, FIELDS, normalise_header


@dataclass(frozen=True)
class ColumnMap:
    """``fields`` maps a field name to its file header; ``ignored`` lists unused headers."""

    fields: dict[str, str]
    ignored: list[str]

    def utc_fields(self) -> set[str]:
        """Fields whose header says the times are UTC ('Created (UTC)')."""
        return {f for f, h in self.fields.items() if normalise_header(h).endswith("utc")}


def parse_map_options(options: list[str] | None) -> dict[str, str]:
    """``["Order No=order_id", ...]`` -> ``{"Order No": "order_id"}`` (source header -> field)."""
    result: dict[str, str] = {}
    for option in options or []:
        source, sep, target = option.rpartition("=")
        if not sep or not source.strip() or not target.strip():
            raise InvalidInputError(
                f"--map {option!r}: write it as SOURCE=FIELD, e.g. --map 'Order No=order_id'"
            )
        result[source.strip()] = target.strip()
    return result


def resolve_columns(
    file: str, kind: str, headers: list[str], overrides: dict[str, str]
) -> ColumnMap:
    """Map headers to ``kind``'s fields; explicit ``overrides`` win over recognised names."""
    fields = {f.name: f for f in FIELDS[kind]}
    mapped: dict[str, str] = {}
    problems: list[Problem] = []
    for source, target in overrides.items():
        field_name = _field_for_override(target, kind, fields)
        if source not in headers:
            problems.append(
                Problem(
                    file,
                    0,
                    source,
                    "",
                    "--map names a column the file does not "
                    f"have; its columns are: {', '.join(headers)}",
                )
            )
        elif field_name is None:
            problems.append(
                Problem(
                    file,
                    0,
                    source,
                    "",
                    f"--map target {target!r} is not a {kind} field; fields: {', '.join(fields)}",
                )
            )
        else:
            mapped[field_name] = source
    if problems:
        raise ImportRejectedError(problems)
    used = set(mapped.values())
    normalised = {h: normalise_header(h) for h in headers}
    for signature, fixed in EXPORT_PROFILES.get(kind, []):
        if signature <= set(normalised.values()):
            for field_name, header_key in fixed.items():
                header = next(h for h in headers if normalised[h] == header_key)
                if field_name not in mapped and header not in used:
                    mapped[field_name] = header
                    used.add(header)
    for spec in FIELDS[kind]:
        if spec.name in mapped:
            continue
        for alias in (spec.name, *spec.aliases):
            match = next((h for h in headers if h not in used and normalised[h] == alias), None)
            if match is not None:
                mapped[spec.name] = match
                used.add(match)
                break
    missing = [f.name for f in FIELDS[kind] if f.required and f.name not in mapped]
    if missing:
        raise ImportRejectedError(
            [
                Problem(
                    file,
                    0,
                    name,
                    "",
                    f"required column missing for {kind} (looked for headers "
                    f"{', '.join(fields[name].aliases)}); map one with --map SOURCE={name}",
                )
                for name in missing
            ]
        )
    return ColumnMap(mapped, [h for h in headers if h not in used])


def _field_for_override(target: str, kind: str, fields: dict[str, object]) -> str | None:
    """The field an override names: its field name or one of its aliases."""
    key = normalise_header(target)
    if key in fields:
        return key
    for spec in FIELDS[kind]:
        if key in spec.aliases:
            return spec.name
    return None
