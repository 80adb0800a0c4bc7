"""The segment filter language: a tokenizer, a recursive-descent parser and a vectorised evaluator.

An expression selects customers by their attributes (see
:mod:`retain.audience.attributes` for the fields)::

    stage in (loyal, active) and country = "DE" and age between 30 and 45
      and clv > 200 and tags has "vip"

Grammar (keywords are case-insensitive)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expr ")" | condition
    condition  := FIELD ("=" | "==" | "!=" | "<" | "<=" | ">" | ">=") value
                | FIELD ["not"] "in" "(" value ("," value)* ")"
                | FIELD "between" value "and" value        (both ends included)
                | FIELD "has" value                        (a list field holds the value)
                | FIELD "contains" value                   (text holds the value)
                | FIELD "is" ["not"] "null"
    value      := NUMBER | "text" | 'text' | word

Text comparisons ignore case. A missing value matches no condition except
``is null`` (``not`` turns a whole condition round, missing values included).

Safety: the expression is never handed to Python's ``eval`` or to SQL. The
tokenizer accepts only the tokens above; a field name can only name a column
of the attribute table; values stay data. Errors (:class:`FilterError`) name
the column of the offending character, counted from 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from retain.errors import InvalidInputError

__all__ = ["FilterError", "Node", "conditions", "evaluate", "fields", "parse"]

MAX_LENGTH = 4000
MAX_DEPTH = 50
KEYWORDS = {"and", "or", "not", "in", "between", "has", "contains", "is", "null"}
COMPARISONS = {"=", "==", "!=", "<", "<=", ">", ">="}

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)(?![A-Za-z_])
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<op><=|>=|!=|==|=|<|>)
  | (?P<punct>[(),])
    """,
    re.VERBOSE,
)


class FilterError(InvalidInputError):
    """A segment expression that cannot be read or applied; ``position`` is its column (1-based)."""

    def __init__(self, message: str, expression: str, position: int) -> None:
        self.position = position
        self.expression = expression
        pointer = " " * (position - 1) + "^"
        super().__init__(
            f"segment filter, column {position}: {message}\n  {expression}\n  {pointer}"
        )


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, word, keyword, op, punct, end
    text: str
    value: Any
    position: int  # 1-based column


@dataclass(frozen=True)
class Node:
    """A node of the parsed expression.

    ``kind``: ``and``/``or`` (``children``), ``not`` (one child), or a
    condition: ``compare`` (``op``, ``values[0]``), ``in``, ``not_in``,
    ``between`` (``values`` low, high), ``has``, ``contains``, ``null``,
    ``not_null``. ``field`` is the field name, ``position`` its column.
    """

    kind: str
    position: int
    field: str | None = None
    op: str | None = None
    values: tuple[Any, ...] = ()
    children: tuple[Node, ...] = ()
    #: the column of each value
    value_positions: tuple[int, ...] = ()


def tokenize(expression: str) -> list[Token]:
    """The tokens of ``expression`` (FilterError at the first character that fits none)."""
    if len(expression) > MAX_LENGTH:
        raise FilterError(
            f"expression is {len(expression)} characters long; keep it under {MAX_LENGTH}",
            expression[:60] + "...",
            1,
        )
    tokens: list[Token] = []
    pos = 0
    while pos < len(expression):
        match = _TOKEN.match(expression, pos)
        if match is None:
            raise FilterError(
                f"unexpected character {expression[pos]!r}; use field names, numbers, "
                '"quoted text", comparisons (= != < <= > >=), parentheses and commas',
                expression,
                pos + 1,
            )
        kind = match.lastgroup or ""
        text = match.group()
        if kind == "number":
            number = float(text)
            tokens.append(
                Token("number", text, int(number) if number.is_integer() else number, pos + 1)
            )
        elif kind == "string":
            body = re.sub(r"\\(.)", r"\1", text[1:-1])
            tokens.append(Token("string", text, body, pos + 1))
        elif kind == "word":
            if text.lower() in KEYWORDS:
                tokens.append(Token("keyword", text, text.lower(), pos + 1))
            else:
                tokens.append(Token("word", text, text, pos + 1))
        elif kind in ("op", "punct"):
            tokens.append(Token(kind, text, text, pos + 1))
        pos = match.end()
    tokens.append(Token("end", "", None, len(expression) + 1))
    return tokens


class _Parser:
    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tokens = tokenize(expression)
        self.i = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def fail(self, expected: str, token: Token | None = None) -> FilterError:
        token = token or self.token
        found = "the end of the expression" if token.kind == "end" else repr(token.text)
        return FilterError(f"expected {expected}, found {found}", self.expression, token.position)

    def next(self) -> Token:
        token = self.token
        self.i += 1
        return token

    def keyword(self, word: str) -> bool:
        if self.token.kind == "keyword" and self.token.value == word:
            self.i += 1
            return True
        return False

    def expect(self, kind: str, text: str, expected: str) -> Token:
        if self.token.kind != kind or self.token.text != text:
            raise self.fail(expected)
        return self.next()

    def parse(self) -> Node:
        if self.token.kind == "end":
            raise self.fail('a condition such as country = "DE"')
        node = self.or_expr()
        if self.token.kind != "end":
            raise self.fail("'and', 'or' or the end of the expression")
        return node

    def or_expr(self) -> Node:
        first = self.and_expr()
        items = [first]
        while self.keyword("or"):
            items.append(self.and_expr())
        return first if len(items) == 1 else Node("or", first.position, children=tuple(items))

    def and_expr(self) -> Node:
        first = self.not_expr()
        items = [first]
        while self.keyword("and"):
            items.append(self.not_expr())
        return first if len(items) == 1 else Node("and", first.position, children=tuple(items))

    def not_expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterError(
                f"nested more than {MAX_DEPTH} levels deep; simplify the expression",
                self.expression,
                self.token.position,
            )
        try:
            start = self.token
            if self.keyword("not"):
                return Node("not", start.position, children=(self.not_expr(),))
            if start.kind == "punct" and start.text == "(":
                self.next()
                inner = self.or_expr()
                self.expect("punct", ")", "')' to close the '(' at column " + str(start.position))
                return inner
            return self.condition()
        finally:
            self.depth -= 1

    def value(self) -> tuple[Any, int]:
        token = self.token
        if token.kind in ("number", "string", "word"):
            self.next()
            return token.value, token.position
        raise self.fail('a value (a number, "quoted text" or a word)')

    def node(self, kind: str, pos: int, name: str, items: list, op: str | None = None) -> Node:
        return Node(
            kind,
            pos,
            name,
            op,
            values=tuple(v for v, _ in items),
            value_positions=tuple(p for _, p in items),
        )

    def condition(self) -> Node:
        field = self.token
        if field.kind != "word":
            raise self.fail("a field name such as country, stage or age")
        self.next()
        name, pos = field.value, field.position
        token = self.token
        if token.kind == "op":
            self.next()
            op = "=" if token.text == "==" else token.text
            return self.node("compare", pos, name, [self.value()], op)
        negate = self.keyword("not")
        if self.keyword("in"):
            self.expect("punct", "(", "'(' after 'in'")
            values = [self.value()]
            while self.token.kind == "punct" and self.token.text == ",":
                self.next()
                values.append(self.value())
            self.expect("punct", ")", "',' or ')' in the list of values")
            return self.node("not_in" if negate else "in", pos, name, values)
        if negate:
            raise self.fail("'in' after 'not'")
        if self.keyword("between"):
            low = self.value()
            if not self.keyword("and"):
                raise self.fail("'and' between the two ends of 'between'")
            return self.node("between", pos, name, [low, self.value()])
        if self.keyword("has"):
            return self.node("has", pos, name, [self.value()])
        if self.keyword("contains"):
            return self.node("contains", pos, name, [self.value()])
        if self.keyword("is"):
            negate = self.keyword("not")
            if not self.keyword("null"):
                raise self.fail("'null' after 'is'")
            return Node("not_null" if negate else "null", pos, name)
        raise self.fail(
            "a comparison (= != < <= > >=), 'in', 'between', 'has', 'contains' or 'is null' "
            f"after the field {name!r}"
        )


def parse(expression: str) -> Node:
    """The syntax tree of ``expression``; FilterError naming the column of a bad token."""
    if not isinstance(expression, str):
        raise InvalidInputError(f"a segment filter is text, not {type(expression).__name__}")
    return _Parser(expression).parse()


def conditions(node: Node) -> list[Node]:
    """The conditions of an expression, left to right."""
    if node.field is not None:
        return [node]
    return [c for child in node.children for c in conditions(child)]


def fields(node: Node) -> set[str]:
    """The field names an expression uses."""
    return {c.field for c in conditions(node) if c.field is not None}


def evaluate(expression: str | Node, frame: pd.DataFrame) -> np.ndarray:
    """Which rows of ``frame`` the expression selects: a boolean array, one per row.

    ``frame``: one row per customer, one column per field (for example
    :func:`retain.audience.audience_frame`). FilterError when the expression
    names a field the frame lacks or compares a field with the wrong kind of value.
    """
    text = expression if isinstance(expression, str) else ""
    node = parse(expression) if isinstance(expression, str) else expression
    return _Evaluator(text, frame).run(node)


class _Evaluator:
    def __init__(self, expression: str, frame: pd.DataFrame) -> None:
        self.expression = expression
        self.frame = frame
        self.n = len(frame)

    def fail(self, message: str, node: Node) -> FilterError:
        return FilterError(message, self.expression or "(parsed expression)", node.position)

    def run(self, node: Node) -> np.ndarray:
        if node.kind == "and":
            out = np.ones(self.n, dtype=bool)
            for child in node.children:
                out &= self.run(child)
            return out
        if node.kind == "or":
            out = np.zeros(self.n, dtype=bool)
            for child in node.children:
                out |= self.run(child)
            return out
        if node.kind == "not":
            return ~self.run(node.children[0])
        return self.condition(node)

    def column(self, node: Node) -> pd.Series:
        assert node.field is not None
        lookup = {c.lower(): c for c in self.frame.columns if isinstance(c, str)}
        name = lookup.get(node.field.lower())
        if name is None:
            known = ", ".join(sorted(lookup.values()))
            raise self.fail(f"unknown field {node.field!r}; known fields: {known}", node)
        return self.frame[name]

    def condition(self, node: Node) -> np.ndarray:
        col = self.column(node)
        kind = _kind(col)
        if node.kind in ("null", "not_null"):
            missing = col.isna().to_numpy(dtype=bool)
            if kind == "list":
                empty = col.map(lambda v: not _is_list(v) or len(v) == 0)
                missing = missing | empty.to_numpy(dtype=bool)
            return missing if node.kind == "null" else ~missing
        if kind == "list":
            if node.kind != "has":
                raise self.fail(f'{node.field!r} is a list: use {node.field} has "value"', node)
            wanted = str(node.values[0]).casefold()
            return col.map(
                lambda v: _is_list(v) and any(str(x).casefold() == wanted for x in v)
            ).to_numpy(dtype=bool)
        if node.kind == "has":
            raise self.fail(
                f"'has' needs a list field such as tags; {node.field!r} is not one", node
            )
        if node.kind == "contains":
            if kind != "text":
                raise self.fail(f"'contains' needs a text field; {node.field!r} is a {kind}", node)
            found = col.str.contains(str(node.values[0]), case=False, regex=False)
            return found.fillna(False).to_numpy(dtype=bool)
        positions = node.value_positions or tuple(node.position for _ in node.values)
        values = [
            self.coerce(v, kind, node, at) for v, at in zip(node.values, positions, strict=True)
        ]
        data = col.astype("string").str.casefold() if kind == "text" else col
        if node.kind in ("in", "not_in"):
            hit = data.isin(values).fillna(False).to_numpy(dtype=bool)
            present = data.notna().to_numpy(dtype=bool)
            return hit if node.kind == "in" else present & ~hit
        if node.kind == "between":
            low, high = values
            return _bool((data >= low) & (data <= high))
        op, value = node.op, values[0]
        if kind in ("text", "flag") and op not in ("=", "!="):
            raise self.fail(f"{node.field!r} is {kind}: compare it with = or !=", node)
        result = {
            "=": lambda: data == value,
            "!=": lambda: data != value,
            "<": lambda: data < value,
            "<=": lambda: data <= value,
            ">": lambda: data > value,
            ">=": lambda: data >= value,
        }[op or "="]()
        return _bool(result) & data.notna().to_numpy(dtype=bool)

    def coerce(self, value: Any, kind: str, node: Node, at: int) -> Any:
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise FilterError(
                    f"{node.field!r} is a number; {value!r} is not a number",
                    self.expression or "(parsed expression)",
                    at,
                )
            return value
        if kind == "flag":
            text = str(value).lower()
            if text in ("true", "yes", "1"):
                return True
            if text in ("false", "no", "0"):
                return False
            raise FilterError(
                f"{node.field!r} is true or false; {value!r} is neither",
                self.expression or "(parsed expression)",
                at,
            )
        return str(value).casefold()


def _bool(result: Any) -> np.ndarray:
    if isinstance(result, pd.Series):
        return result.fillna(False).to_numpy(dtype=bool)
    return np.asarray(result, dtype=bool)


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _kind(col: pd.Series) -> str:
    """``number``, ``flag``, ``list`` or ``text``: how a column's values compare."""
    if pd.api.types.is_bool_dtype(col.dtype):
        return "flag"
    if pd.api.types.is_numeric_dtype(col.dtype):
        return "number"
    sample = col.dropna()
    sample = sample.iloc[: min(len(sample), 50)]
    if len(sample) and all(_is_list(v) for v in sample):
        return "list"
    if len(sample) and all(isinstance(v, bool | np.bool_) for v in sample):
        return "flag"
    return "text"
