"""The applicability-condition language of recommendations.

Grammar (the fact sheet's syntax)::

    condition  := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | primary
    primary    := "(" or_expr ")" | comparison
    comparison := FACT OP value | FACT "in" "[" value ("," value)* "]"
    OP         := "=" | "!=" | ">" | ">=" | "<" | "<="
    value      := NUMBER | "true" | "false" | WORD | "quoted string"

Conditions are parsed by this small recursive-descent parser -- never ``eval``
-- into an immutable tree. ``parse()`` caches trees by text, so a condition is
compiled once and evaluated many times. ``validate()`` checks a tree against
the fact catalogue and reports every problem with its line and column.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from guidelines.facts import DATE, Catalogue

OPERATORS = ("=", "!=", ">", ">=", "<", "<=")
ORDERING_OPERATORS = frozenset({">", ">=", "<", "<="})
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
MAX_LENGTH = 5000  # a condition longer than this is a mistake, not a rule

Value = bool | float | str


class ConditionError(Exception):
    """A problem in a condition, with its position (0-based offset) in the text."""

    def __init__(self, message: str, position: int | None = None, text: str = ""):
        super().__init__(message)
        self.message = message
        self.position = position
        self.text = text

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        line = self.text.count("\n", 0, self.position) + 1
        column = self.position - (self.text.rfind("\n", 0, self.position) + 1) + 1
        where = f"line {line}, column {column}" if "\n" in self.text else f"column {column}"
        return f"{where}: {self.message}"


# --- The tree ------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: Value
    position: int
    quoted: bool = False

    def __str__(self) -> str:
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        if isinstance(self.value, float):
            return _number_text(self.value)
        return f'"{self.value}"' if self.quoted else self.value


@dataclass(frozen=True)
class Comparison:
    fact: str
    operator: str  # one of OPERATORS, or "in"
    values: tuple[Literal, ...]  # one value, or the list of an "in"
    position: int

    def __str__(self) -> str:
        if self.operator == "in":
            return f"{self.fact} in [{', '.join(str(v) for v in self.values)}]"
        return f"{self.fact} {self.operator} {self.values[0]}"


@dataclass(frozen=True)
class Not:
    operand: Node

    def __str__(self) -> str:
        return f"not {_wrapped(self.operand)}"


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]

    def __str__(self) -> str:
        return " and ".join(_wrapped(op, inside=And) for op in self.operands)


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]

    def __str__(self) -> str:
        return " or ".join(_wrapped(op, inside=Or) for op in self.operands)


Node = Comparison | Not | And | Or


def _wrapped(node: Node, inside: type | None = None) -> str:
    """Parenthesise sub-trees for readers; 'not' binds tightest and needs none."""
    if isinstance(node, Comparison | Not) or type(node) is inside:
        return str(node)
    return f"({node})"


def _number_text(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


# --- Tokens --------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "word", "number", "string", "op", "punct", "end"
    text: str
    position: int


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?(?![A-Za-z_]))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>"[^"\n]*"|'[^'\n]*')
  | (?P<op>!=|>=|<=|==|=|>|<)
  | (?P<punct>[()\[\],])
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            if char in "\"'":
                raise ConditionError("this quoted value is never closed", position, text)
            raise ConditionError(f"unexpected character {char!r}", position, text)
        kind = match.lastgroup
        if kind == "op" and match.group() == "==":
            raise ConditionError("use '=' to compare, not '=='", position, text)
        if kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# --- Parser --------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.current
        self.index += 1
        return token

    def error(self, message: str, token: Token | None = None) -> ConditionError:
        token = token or self.current
        return ConditionError(message, token.position, self.text)

    def describe(self, token: Token) -> str:
        return "the end of the condition" if token.kind == "end" else repr(token.text)

    def at_keyword(self, word: str) -> bool:
        return self.current.kind == "word" and self.current.text == word

    def parse(self) -> Node:
        node = self.or_expr()
        if self.current.kind != "end":
            raise self.error(
                f"expected 'and', 'or' or the end of the condition, found {self.describe(self.current)}"
            )
        return node

    def or_expr(self) -> Node:
        operands = [self.and_expr()]
        while self.at_keyword("or"):
            self.advance()
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Node:
        operands = [self.not_expr()]
        while self.at_keyword("and"):
            self.advance()
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_expr(self) -> Node:
        if self.at_keyword("not"):
            self.advance()
            return Not(self.not_expr())
        return self.primary()

    def primary(self) -> Node:
        token = self.current
        if token.kind == "punct" and token.text == "(":
            self.advance()
            node = self.or_expr()
            if not (self.current.kind == "punct" and self.current.text == ")"):
                raise self.error(f"expected ')' to close the '(' at column {token.position + 1}")
            self.advance()
            return node
        if token.kind != "word" or token.text in KEYWORDS:
            raise self.error(f"expected a fact name, found {self.describe(token)}")
        return self.comparison()

    def comparison(self) -> Comparison:
        fact = self.advance()
        token = self.current
        if self.at_keyword("in"):
            self.advance()
            return Comparison(fact.text, "in", self.value_list(), fact.position)
        if token.kind != "op":
            raise self.error(
                f"expected an operator (=, !=, >, >=, <, <= or in) after {fact.text!r}, "
                f"found {self.describe(token)}"
            )
        self.advance()
        return Comparison(fact.text, token.text, (self.value(),), fact.position)

    def value_list(self) -> tuple[Literal, ...]:
        if not (self.current.kind == "punct" and self.current.text == "["):
            raise self.error(
                f"expected '[' to start the list after 'in', found {self.describe(self.current)}"
            )
        self.advance()
        values = [self.value()]
        while self.current.kind == "punct" and self.current.text == ",":
            self.advance()
            values.append(self.value())
        if not (self.current.kind == "punct" and self.current.text == "]"):
            raise self.error(
                f"expected ',' or ']' in the list, found {self.describe(self.current)}"
            )
        self.advance()
        return tuple(values)

    def value(self) -> Literal:
        token = self.current
        if token.kind == "number":
            self.advance()
            return Literal(float(token.text), token.position)
        if token.kind == "string":
            self.advance()
            return Literal(token.text[1:-1], token.position, quoted=True)
        if token.kind == "word" and token.text in ("true", "false"):
            self.advance()
            return Literal(token.text == "true", token.position)
        if token.kind == "word" and token.text not in KEYWORDS:
            self.advance()
            return Literal(token.text, token.position)
        raise self.error(f"expected a value, found {self.describe(token)}")


@lru_cache(maxsize=4096)
def parse(text: str) -> Node | None:
    """Parse a condition; ``None`` for an empty one (applies to every case).

    Raises ConditionError for a syntax error. Results are cached by text, and
    the tree is immutable, so callers may share it freely.
    """
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"a condition may be at most {MAX_LENGTH} characters long")
    if not text.strip():
        return None
    return _Parser(text).parse()


def comparisons(node: Node | None) -> list[Comparison]:
    """Every comparison of a tree, left to right."""
    if node is None:
        return []
    if isinstance(node, Comparison):
        return [node]
    if isinstance(node, Not):
        return comparisons(node.operand)
    return [c for operand in node.operands for c in comparisons(operand)]


def facts_used(node: Node | None) -> set[str]:
    return {c.fact for c in comparisons(node)}


# --- Validation against the catalogue --------------------------------------------


def validate(text: str, catalogue: Catalogue) -> list[ConditionError]:
    """Every problem of a condition: syntax, unknown facts, wrong types or values."""
    try:
        node = parse(text)
    except ConditionError as error:
        error.text = text
        return [error]
    errors = []
    for comparison in comparisons(node):
        for message, position in _comparison_problems(comparison, catalogue):
            errors.append(ConditionError(message, position, text))
    return errors


def _comparison_problems(comparison: Comparison, catalogue: Catalogue):
    spec = catalogue.get(comparison.fact)
    if spec is None:
        message = f"unknown fact {comparison.fact!r}"
        close = difflib.get_close_matches(comparison.fact, list(catalogue), n=1, cutoff=0.6)
        if close:
            message += f"; did you mean {close[0]!r}?"
        yield message, comparison.position
        return
    if spec.kind == DATE:
        yield (
            f"{spec.name} is a date: conditions compare the facts computed from it "
            "(e.g. disease_free_interval_months)",
            comparison.position,
        )
        return
    if comparison.operator in ORDERING_OPERATORS and not spec.is_numeric:
        yield (
            f"{comparison.operator!r} compares numbers, but {spec.name} is a {spec.type.words} fact; "
            "use = , != or in",
            comparison.position,
        )
        return
    for literal in comparison.values:
        problem = spec.type.literal_problem(spec, literal.value, literal)
        if problem:
            yield problem, literal.position


# --- Conditions in words --------------------------------------------------------

_OPERATOR_WORDS = {
    "=": "is",
    "!=": "is not",
    ">": "is above",
    ">=": "is at least",
    "<": "is below",
    "<=": "is at most",
    "in": "is one of",
}


def describe_comparison(comparison: Comparison, catalogue: Catalogue) -> str:
    """One comparison in words, with labels and units, e.g. 'Sex is Female'."""
    spec = catalogue.get(comparison.fact)
    if spec is None:
        return str(comparison)
    values = [spec.display_value(literal.value) for literal in comparison.values]
    return f"{spec.label} {_OPERATOR_WORDS[comparison.operator]} {', '.join(values)}"


def describe(node: Node | None, catalogue: Catalogue) -> str:
    """A whole condition in words; 'every case' for an empty one."""
    if node is None:
        return "every case"
    if isinstance(node, Comparison):
        return describe_comparison(node, catalogue)
    if isinstance(node, Not):
        return f"not ({describe(node.operand, catalogue)})"
    joiner = " and " if isinstance(node, And) else " or "
    parts = []
    for operand in node.operands:
        text = describe(operand, catalogue)
        parts.append(text if isinstance(operand, Comparison | Not) else f"({text})")
    return joiner.join(parts)


def in_words(text: str, catalogue: Catalogue) -> str:
    """A condition's text in words; one that cannot be read shows as it was written."""
    try:
        return describe(parse(text), catalogue)
    except ConditionError:
        return text
