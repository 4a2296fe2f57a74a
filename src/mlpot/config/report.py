"""Turn pydantic validation errors into ConfigProblems: key path, line, and a plain message."""

from __future__ import annotations

import reprlib
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from mlpot.config.errors import ConfigProblem, KeyPath, KeyProblems, format_key
from mlpot.config.fields import suggest
from mlpot.config.locate import Located, literal_choices, locate, model_keys, tagged_members
from mlpot.config.source import YamlDocument

_EXPECTED = {
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "union_tag_not_found": "a mapping (key: value)",
    "path_type": "a path",
}
_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def problems_from(
    error: ValidationError, root: type[BaseModel], document: YamlDocument
) -> list[ConfigProblem]:
    """One ConfigProblem per error in `error`, raised validating `document` as `root`."""
    problems = []
    for details in error.errors(include_url=False):
        for loc, message in _messages(details, root):
            problems.append(_problem(document, loc, message))
    return problems


def _problem(document: YamlDocument, path: KeyPath, message: str) -> ConfigProblem:
    return ConfigProblem(document.path, document.line_of(path), format_key(path), message)


def _messages(details: ErrorDetails, root: type[BaseModel]) -> list[tuple[KeyPath, str]]:
    """(key path, message) pairs for one pydantic error."""
    cause = details.get("ctx", {}).get("error")
    if isinstance(cause, KeyProblems):
        return [(locate(root, (*details["loc"], *sub)).path, msg) for sub, msg in cause.problems]
    located = locate(root, details["loc"])
    if details["type"] == "union_tag_invalid":
        return [_unknown_choice(details, located)]
    return [(located.path, describe(details, located))]


def describe(details: ErrorDetails, located: Located) -> str:
    """A message saying what is wrong, what was expected and, if close, what was meant."""
    kind, value, ctx = details["type"], details["input"], details.get("ctx", {})
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return _unknown_key(str(located.path[-1]), model_keys(located.parent))
    if kind == "literal_error":
        return _not_a_choice(value, literal_choices(located.target), located.alternatives)
    if kind in _EXPECTED:
        return f"expected {_expected(_EXPECTED[kind], located.alternatives)}, found {found(value)}"
    if kind in _BOUNDS:
        limit = next(iter(ctx.values()))
        return f"must be {_BOUNDS[kind]} {limit}, found {found(value)}"
    if kind == "too_short" and "min_length" in ctx:
        return f"needs at least {_items(ctx['min_length'])}, found {ctx['actual_length']}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return f"{details['msg']}, found {found(value)}"


def found(value: Any) -> str:
    """How a found value is shown: its YAML-ish text and Python type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (bool)"
    return f"{reprlib.repr(value)} ({type(value).__name__})"


def _unknown_key(key: str, allowed: list[str]) -> str:
    hint = suggest(key, allowed)
    if not hint and allowed:
        hint = f"; allowed keys here: {', '.join(allowed)}"
    return f"unknown key '{key}'{hint}"


def _not_a_choice(value: Any, choices: tuple[Any, ...], alternatives: tuple[str, ...]) -> str:
    listed = _expected(f"one of {', '.join(str(c) for c in choices)}", alternatives)
    hint = suggest(value, [str(c) for c in choices]) if isinstance(value, str) else ""
    return f"expected {listed}, found {found(value)}{hint}"


def _unknown_choice(details: ErrorDetails, located: Located) -> tuple[KeyPath, str]:
    """A tagged union whose selecting key (e.g. schedule name) has an unknown value."""
    tag, value = details.get("ctx", {}).get("tag"), details["input"]
    choices = list(tagged_members(located.target))
    keys = [k for k, v in value.items() if str(v) == tag] if isinstance(value, dict) else []
    path = (*located.path, keys[0]) if keys else located.path
    message = f"expected one of {', '.join(choices)}, found {found(tag)}"
    return path, message + suggest(str(tag), choices)


def _expected(what: str, alternatives: tuple[str, ...]) -> str:
    return ", or ".join([what, *(f"a {alternative}" for alternative in alternatives)])


def _items(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"
