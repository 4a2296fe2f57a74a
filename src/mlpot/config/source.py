"""Read a YAML configuration file, keeping the line of every key for error messages.

Lines come from PyYAML's own node tree; ruamel.yaml's line-keeping maps were not taken: a second
YAML library, YAML 1.2 rules (yes/no read as strings) and a stop at the first repeated key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlpot.config.errors import ConfigError, ConfigProblem, KeyPath, format_key

MERGE_KEY = "tag:yaml.org,2002:merge"


class _Loader(yaml.SafeLoader):
    """SafeLoader that also reads 1e-3 and 1.0e3 as floats (YAML 1.1 reads them as strings)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


@dataclass(frozen=True)
class YamlDocument:
    """The parsed content of a YAML file and its node tree (for line numbers)."""

    path: Path
    data: Any
    root: yaml.Node

    def line_of(self, key: KeyPath) -> int:
        """1-based line of the deepest key of `key` present in the file.

        For a key that is missing, this is the line of its closest existing parent.
        """
        node, line = self.root, self.root.start_mark.line + 1
        for part in key:
            child = _child(node, part)
            if child is None:
                break
            line, node = child
        return line


def read_yaml(path: Path) -> YamlDocument:
    """Parse `path`; raise ConfigError for a missing or empty file, bad syntax, repeated keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _error(path, None, "no such configuration file") from None
    except OSError as exc:
        raise _error(path, None, f"cannot read the configuration file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise _error(path, None, f"not a UTF-8 text file ({exc.reason})") from None
    root, data = _parse(path, text)
    if root is None:
        raise _error(path, 1, "the file is empty; it needs at least 'data: {train: ...}'")
    problems = [
        ConfigProblem(path, line, format_key(key), message)
        for line, key, message in _repeated_keys(root)
    ]
    if problems:
        raise ConfigError(problems)
    return YamlDocument(path, data, root)


def _parse(path: Path, text: str) -> tuple[yaml.Node | None, Any]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        raise _error(path, *_syntax_problem(exc)) from None
    except yaml.YAMLError as exc:
        raise _error(path, None, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return root, data


def _syntax_problem(exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """(line, message) of a YAML syntax error, naming where the broken construct began."""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    message = f"invalid YAML syntax: {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark is not None:
        message += f" ({exc.context}, which began on line {exc.context_mark.line + 1})"
    return line, message


def _child(node: yaml.Node, part: str | int) -> tuple[int, yaml.Node] | None:
    """(line of the key or item, value node) for one step of a key path, or None."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in reversed(node.value):  # the last of repeated keys wins
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return key_node.start_mark.line + 1, value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None


def _repeated_keys(root: yaml.Node) -> Iterator[tuple[int, KeyPath, str]]:
    """(line, key path, message) for each key given twice in one mapping (YAML keeps the last)."""
    for path, node in _mappings(root, (), set()):
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == MERGE_KEY:
                continue
            line = key_node.start_mark.line + 1
            if key_node.value in seen:
                first = seen[key_node.value]
                key = (*path, key_node.value)
                yield line, key, f"this key is given twice (also on line {first}); keep one"
            seen.setdefault(key_node.value, line)


def _mappings(
    node: yaml.Node, path: KeyPath, visited: set[int]
) -> Iterator[tuple[KeyPath, yaml.MappingNode]]:
    """Every mapping node under `node` (each once, whatever the anchors) with its key path."""
    if id(node) in visited:
        return
    visited.add(id(node))
    if isinstance(node, yaml.MappingNode):
        yield path, node
        for key_node, value_node in node.value:
            yield from _mappings(value_node, (*path, str(key_node.value)), visited)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _mappings(item, (*path, index), visited)


def _error(path: Path, line: int | None, message: str) -> ConfigError:
    return ConfigError([ConfigProblem(path, line, "", message)])
