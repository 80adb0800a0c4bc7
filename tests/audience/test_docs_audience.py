"""docs/audience.md cannot drift: every command, field, weight and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import retain.audience
from retain.audience import DEFAULTS, FIELDS, WEIGHTS
from retain.cli.audience import competitors_app, dedupe_app, segments_app

DOC = (Path(__file__).parents[2] / "docs" / "audience.md").read_text(encoding="utf-8")
COMMANDS = [
    (group, c.name)
    for group, app in (
        ("segments", segments_app),
        ("dedupe", dedupe_app),
        ("competitors", competitors_app),
    )
    for c in app.registered_commands
]


@pytest.mark.parametrize(("group", "command"), COMMANDS)
def test_command_is_documented(group, command):
    assert re.search(rf"^\| `{re.escape(command)}` \|", DOC, re.M), command
    assert f"retain {group} {command}" in DOC


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_field_is_documented(field):
    assert re.search(rf"^\| [^|]*`{re.escape(field)}`", DOC, re.M), field


@pytest.mark.parametrize(("name", "weight"), sorted(WEIGHTS.items()))
def test_weight_is_documented(name, weight):
    shown = f"+{weight:g}" if weight > 0 else f"{weight:g}"
    assert re.search(rf"^\| `{name}`[^|]*\| {re.escape(shown)} \|$", DOC, re.M), (name, shown)


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_setting_is_documented(key):
    assert re.search(rf"^\| `{key}` \|", DOC, re.M), key


def test_public_api_is_pinned():
    expected = {
        "FilterError",
        "audience_frame",
        "evaluate",
        "parse",
        "find_duplicates",
        "merge_duplicates",
        "undo_merge",
        "segment_members",
        "segment_memberships",
        "segment_scores",
        "excluded_customer_ids",
        "segment_size",
        "compare_segments",
        "profile",
        "match_competitors",
        "flag_competitors",
        "confirm_competitors",
        "create_segment",
    }
    assert expected <= set(retain.audience.__all__)
    for name in retain.audience.__all__:
        assert hasattr(retain.audience, name), name
