"""Follow a pydantic error location through the schema types.

A pydantic `loc` mixes the keys of the document with union tags ("single value",
"plateau") and "[key]" markers. `locate` walks the schema alongside it and returns the
key path as it appears in the YAML file plus the schema types around the error, which the
messages use (allowed keys for "did you mean", Literal choices, the alternatives of a union).
Hand-written because pydantic reports where an error is but not the schema type found there.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Tag

from mlpot.config.errors import KeyPath

_UNIONS = (Union, types.UnionType)


@dataclass(frozen=True)
class Located:
    """path:   the key path in the document (no union tags, no "[key]")
    target:    the schema type at the error (None where the schema says nothing)
    parent:    the schema type that holds the last key of `path`
    alternatives: descriptions of the other union members when the error sits directly
               on one member of a tagged union (for "expected X, or Y")
    """

    path: KeyPath
    target: Any
    parent: Any
    alternatives: tuple[str, ...] = ()


def locate(root: type[BaseModel], loc: tuple[str | int, ...]) -> Located:
    """Where `loc` (a pydantic error location under `root`) points in the document and schema."""
    path: list[str | int] = []
    schema: Any = root
    parent: Any = None
    alternatives: tuple[str, ...] = ()
    for part in loc:
        schema = unwrap(schema)
        members = tagged_members(schema)
        if isinstance(part, str) and part in members:
            alternatives = tuple(tag for tag in members if tag != part)
            schema = members[part]
            continue
        alternatives = ()
        if part == "[key]":
            schema = None
            continue
        parent = schema
        path.append(part)
        schema = _child(schema, part)
    return Located(tuple(path), unwrap(schema), unwrap(parent), alternatives)


def unwrap(schema: Any) -> Any:
    """Strip Annotated metadata and Optional[...] around a type."""
    while True:
        if get_origin(schema) is Annotated:
            schema = get_args(schema)[0]
            continue
        if get_origin(schema) in _UNIONS:
            kept = [arg for arg in get_args(schema) if arg is not type(None)]
            if len(kept) == 1:
                schema = kept[0]
                continue
        return schema


def tagged_members(schema: Any) -> dict[str, Any]:
    """{tag: member type} of a tagged union; empty for anything else."""
    if get_origin(schema) not in _UNIONS:
        return {}
    members = {}
    for member in get_args(schema):
        tags = [m for m in getattr(member, "__metadata__", ()) if isinstance(m, Tag)]
        if tags:
            members[tags[0].tag] = member
    return members


def literal_choices(schema: Any) -> tuple[Any, ...]:
    """The values a Literal type allows; empty for anything else."""
    return get_args(schema) if get_origin(schema) is Literal else ()


def model_keys(schema: Any) -> list[str]:
    """The keys a section model accepts; empty for anything else."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return list(schema.model_fields)
    return []


def _child(schema: Any, part: str | int) -> Any:
    """The schema type one key (or list index) below `schema`, or None."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        field = schema.model_fields.get(str(part))
        return field.annotation if field is not None else None
    origin, args = get_origin(schema), get_args(schema)
    if origin is list and args:
        return args[0] if isinstance(part, int) else None
    if origin is dict and len(args) == 2:
        return args[1]
    for member in tagged_members(schema).values():  # a key below a union: the member that has it
        found = _child(unwrap(member), part)
        if found is not None:
            return found
    return None
