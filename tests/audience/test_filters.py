"""The segment filter language: each operator, errors naming the column, no code execution."""

from __future__ import annotations

import builtins

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.audience import FilterError, evaluate, parse
from retain.audience.filters import MAX_DEPTH, fields
from retain.errors import InvalidInputError

FRAME = pd.DataFrame(
    {
        "stage": ["loyal", "active", "new", None, "Loyal"],
        "country": ["DE", "de", "FR", "DE", "AT"],
        "age": pd.array([31, 50, 40, None, 45], dtype="Int64"),
        "clv": [300.0, 100.0, 500.0, 1000.0, np.nan],
        "tags": [["vip"], [], ["VIP", "b2b"], None, ["b2b"]],
        "email_consent": [True, False, True, True, False],
        "city": ["Berlin", "Bad Homburg", "Paris", None, "Wien"],
    }
)


def rows(expression: str) -> list[int]:
    return np.flatnonzero(evaluate(expression, FRAME)).tolist()


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('country = "DE"', [0, 1, 3]),  # text equality ignores case
        ("country == de", [0, 1, 3]),
        ('country != "DE"', [2, 4]),
        ("age < 40", [0]),
        ("age <= 40", [0, 2]),
        ("age > 40", [1, 4]),
        ("age >= 45", [1, 4]),
        ("clv > 200", [0, 2, 3]),
        ("clv = 100", [1]),
        ("age between 31 and 45", [0, 2, 4]),  # both ends included
        ("stage in (loyal, active)", [0, 1, 4]),
        ("stage not in (loyal, active)", [2]),  # missing values match nothing
        ('tags has "vip"', [0, 2]),  # list membership ignores case
        ("tags has b2b", [2, 4]),
        ('city contains "bad"', [1]),
        ("stage is null", [3]),
        ("stage is not null", [0, 1, 2, 4]),
        ("tags is null", [1, 3]),  # an empty list counts as missing
        ("email_consent = true", [0, 2, 3]),
        ("email_consent = no", [1, 4]),
        ("not stage in (loyal)", [1, 2, 3]),  # not turns the whole condition round
        ("age > 40 or country = FR", [1, 2, 4]),
        ("country = DE and age > 40 or country = FR", [1, 2]),  # and binds tighter
        ("country = DE and (age > 40 or clv > 900)", [1, 3]),
        ("NOT (country = DE) AND age IS NOT NULL", [2, 4]),  # keywords in any case
        ("clv > 1e2", [0, 2, 3]),
        ("age > -1.5", [0, 1, 2, 4]),
    ],
)
def test_each_operator(expression, expected):
    assert rows(expression) == expected


def test_the_example_of_the_issue():
    frame = pd.DataFrame(
        {
            "stage": ["loyal", "active", "loyal", "new"],
            "country": ["DE", "DE", "FR", "DE"],
            "age": [30, 45, 35, 35],
            "clv": [250.0, 201.0, 900.0, 900.0],
            "tags": [["vip"], ["vip", "x"], ["vip"], ["vip"]],
        }
    )
    mask = evaluate(
        'stage in (loyal, active) and country = "DE" and age between 30 and 45 '
        'and clv > 200 and tags has "vip"',
        frame,
    )
    assert mask.tolist() == [True, True, False, False]


def test_quoted_text_with_escapes_and_spaces():
    frame = pd.DataFrame({"name": ['Ann "Nan" Lee', "Bob"], "city": ["Bad Homburg", "x"]})
    assert evaluate(r'name = "Ann \"Nan\" Lee"', frame).tolist() == [True, False]
    assert evaluate("city = 'bad homburg'", frame).tolist() == [True, False]


@pytest.mark.parametrize(
    ("expression", "column", "words"),
    [
        ("stage in (loyal", 16, "expected ',' or ')'"),
        ("age >", 6, "expected a value"),
        ("age > 3 and", 12, "a field name"),
        ("country = DE;", 13, "unexpected character ';'"),
        ("(age > 3", 9, "')' to close the '(' at column 1"),
        ("age > 3)", 8, "'and', 'or' or the end"),
        ("age 3", 5, "a comparison"),
        ("age between 1 or 2", 15, "'and' between the two ends"),
        ("", 1, "a condition"),
        ("country = DE and and", 18, "a field name"),
        ("stage not loyal", 11, "'in' after 'not'"),
        ("age is 3", 8, "'null' after 'is'"),
        ("x = 1 @ 2", 7, "unexpected character '@'"),
    ],
)
def test_syntax_errors_name_the_column(expression, column, words):
    with pytest.raises(FilterError) as caught:
        parse(expression)
    assert caught.value.position == column
    assert words in caught.value.message
    assert f"column {column}" in caught.value.message
    # the pointer line puts ^ under the offending column
    pointer = caught.value.message.splitlines()[-1]
    assert pointer.index("^") - 2 == column - 1


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("colour = red", "unknown field 'colour'; known fields: age, city, clv"),
        ('age > "old"', "'age' is a number; 'old' is not a number"),
        ("country > DE", "compare it with = or !="),
        ("stage has loyal", "'has' needs a list field"),
        ("tags = vip", "tags has"),
        ("age contains 3", "'contains' needs a text field"),
        ("email_consent = maybe", "true or false"),
    ],
)
def test_meaning_errors_are_clear(expression, words):
    with pytest.raises(FilterError) as caught:
        evaluate(expression, FRAME)
    assert words in caught.value.message
    assert isinstance(caught.value, InvalidInputError)  # status 422 in the web app


@pytest.mark.parametrize(
    ("expression", "column"),
    [
        ('age > 3 and clv < "much"', 19),
        ("age between 30 and old", 20),
        ("email_consent = maybe", 17),
        ("country = DE and colour = red", 18),
    ],
)
def test_meaning_errors_point_at_the_value_or_field(expression, column):
    with pytest.raises(FilterError) as caught:
        evaluate(expression, FRAME)
    assert caught.value.position == column


def test_fields_lists_what_an_expression_uses():
    assert fields(parse("a = 1 and (b in (x) or not c is null)")) == {"a", "b", "c"}


def test_nesting_and_length_are_bounded():
    deep = "(" * (MAX_DEPTH + 5) + "age > 1" + ")" * (MAX_DEPTH + 5)
    with pytest.raises(FilterError, match="nested more than"):
        parse(deep)
    with pytest.raises(FilterError, match="characters long"):
        parse("age > 1 and " * 500 + "age > 1")


PAYLOADS = [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w')",
    "age > 1 and __import__('pathlib').Path('{marker}').touch()",
    "stage = \"x\" or exec(\"open('{marker}','w')\")",
    "stage.__class__.__mro__",
    "age > (lambda: open('{marker}', 'w'))()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "country = DE; import os",
    "{{'a': 1}}",
    "`touch {marker}`",
    "age > 1 -- '; DROP TABLE customers; --",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_expression_runs_code(payload, tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    text = payload.format(marker=marker)

    def refuse(*args, **kwargs):
        raise AssertionError("the filter language called eval/exec/compile")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, refuse)
    with pytest.raises(FilterError):
        evaluate(text, FRAME)
    assert not marker.exists()


def test_a_field_named_like_a_python_name_is_only_a_column_name():
    # dunder words are plain field names: unknown, hence an error, never attributes
    with pytest.raises(FilterError, match="unknown field '__class__'"):
        evaluate("__class__ = 1", FRAME)
    frame = pd.DataFrame({"__class__": ["x", "y"]})
    assert evaluate("__class__ = x", frame).tolist() == [True, False]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_text_either_evaluates_or_raises_a_filter_error(text):
    try:
        mask = evaluate(text, FRAME)
    except FilterError as exc:
        assert 1 <= exc.position <= len(text) + 1
    else:
        assert mask.dtype == bool and mask.shape == (len(FRAME),)


TOKENS = st.sampled_from(
    ["age", "stage", "country", "tags", "clv", "=", "!=", "<", ">=", "in", "not", "and", "or",
     "(", ")", ",", "between", "has", "is", "null", "3", "40.5", '"DE"', "loyal", "contains"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=14))
def test_token_soup_never_crashes(tokens):
    text = " ".join(tokens)
    try:
        mask = evaluate(text, FRAME)
    except FilterError as exc:
        assert 1 <= exc.position <= len(text) + 1
    else:
        assert mask.shape == (len(FRAME),)


def test_not_is_the_complement():
    for expression in ("age > 40", "stage in (loyal)", "tags has vip", "city contains a"):
        mask = evaluate(expression, FRAME)
        assert (evaluate(f"not ({expression})", FRAME) == ~mask).all()
