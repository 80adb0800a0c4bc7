"""Message templates: Jinja2 in a sandbox, with the customer's fields, escaped.

The body renders twice: as HTML with autoescape (a customer named
``<script>`` appears as text, not markup) and as plain text. The subject is
plain text on one line (line breaks removed, so no header can be injected).
Both run in Jinja2's :class:`~jinja2.sandbox.SandboxedEnvironment`: a
template cannot reach Python internals, and an unknown field is an error
that names it (:class:`~jinja2.StrictUndefined`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from retain.errors import InvalidInputError

#: the fields a template can use
FIELDS = (
    "external_id",
    "name",
    "first_name",
    "email",
    "company",
    "city",
    "country",
    "owner",
    "stage",
    "unsubscribe_url",
)

_HTML = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
_TEXT = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_LINES = re.compile(r"[\r\n]+")


@dataclass(frozen=True)
class Rendered:
    """One customer's message: ``subject`` (one line), ``html`` (escaped) and ``text``."""

    subject: str
    html: str
    text: str


def customer_fields(
    person: dict[str, Any], *, stage: str | None = None, unsubscribe_url: str = ""
) -> dict[str, Any]:
    """The template fields of one customer row (missing values become ``""``)."""
    name = person.get("name") or ""
    fields = {k: person.get(k) for k in FIELDS}
    fields["external_id"] = person.get("external_id") or ""
    fields["first_name"] = name.split()[0] if name.strip() else ""
    fields["stage"] = stage or ""
    fields["unsubscribe_url"] = unsubscribe_url
    return {k: ("" if v is None or v != v else v) for k, v in fields.items()}


@lru_cache(maxsize=64)
def _compiled(html: bool, source: str) -> Template:
    """A template compiled once per source (HTML-escaping or plain text)."""
    return (_HTML if html else _TEXT).from_string(source)


def render(subject: str, body: str, fields: dict[str, Any]) -> Rendered:
    """Render ``subject`` and ``body`` with ``fields``; InvalidInputError names a bad field."""
    try:
        subj = _compiled(False, subject).render(fields)
        html = _compiled(True, body).render(fields)
        text = _compiled(False, body).render(fields)
    except UndefinedError as exc:
        raise InvalidInputError(
            f"the template uses an unknown field ({exc.message}); use some of {', '.join(FIELDS)}"
        ) from None
    except TemplateError as exc:
        raise InvalidInputError(f"the template cannot be rendered: {exc}") from None
    return Rendered(_LINES.sub(" ", subj).strip(), html, text)


def check(subject: str, body: str) -> None:
    """Refuse a template that does not parse or uses an unknown field (renders a sample)."""
    if not subject.strip():
        raise InvalidInputError("a campaign needs a subject")
    if not body.strip():
        raise InvalidInputError("a campaign needs a message body")
    sample = {k: f"<{k}>" for k in FIELDS}
    render(subject, body, sample)
