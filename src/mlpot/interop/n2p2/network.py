"""Network shapes and activations of input.nn, as mlpot's NetworkSpec per element.

Keywords: global_hidden_layers_short, global_nodes_short, global_activation_short (one
letter per hidden layer and one for the output), overridden per element by
element_hidden_layers_short, element_nodes_short and element_activation_short.
"""

from __future__ import annotations

from mlpot.interop.n2p2.settings import Entry, Settings
from mlpot.models.nnp import NetworkSpec

# n2p2 activation letter -> mlpot activation (mlpot.models.activations)
ACTIVATION_LETTERS = {
    "l": "linear",
    "t": "tanh",
    "s": "sigmoid",
    "p": "softplus",
    "r": "relu",
    "g": "gaussian",
    "c": "cos",
    "S": "reverse_sigmoid",
    "e": "negative_exp",
    "h": "square",
}
LETTER_OF_ACTIVATION = {name: letter for letter, name in ACTIVATION_LETTERS.items()}


def read_networks(settings: Settings, elements: tuple[str, ...]) -> dict[str, NetworkSpec]:
    """NetworkSpec of each element (the output layer must be linear, n2p2's 'l')."""
    depth = {e: _global_depth(settings) for e in elements}
    for entry in settings.all("element_hidden_layers_short"):
        depth[_element(settings, entry, elements)] = _count(settings, entry, 1)
    nodes = _global(settings, "global_nodes_short", depth, elements, 0)
    letters = _global(settings, "global_activation_short", depth, elements, 1)
    for keyword, table, extra in (
        ("element_nodes_short", nodes, 0),
        ("element_activation_short", letters, 1),
    ):
        for entry in settings.all(keyword):
            element = _element(settings, entry, elements)
            values = _sized(settings, entry, entry.fields[1:], depth[element] + extra)
            table[element] = (values, entry)
    return {e: _spec(settings, e, depth[e], nodes.get(e), letters.get(e)) for e in elements}


def _global_depth(settings: Settings) -> int | None:
    entry = settings.get("global_hidden_layers_short")
    return None if entry is None else _count(settings, entry, 0)


def _global(settings, keyword, depth, elements, extra) -> dict[str, tuple[tuple, Entry]]:
    """The global values for elements whose depth is the global one."""
    entry = settings.get(keyword)
    if entry is None:
        return {}
    global_depth = _global_depth(settings)
    if global_depth is None:
        raise settings.error(entry, f"{keyword} without global_hidden_layers_short", "add it")
    values = _sized(settings, entry, entry.fields, global_depth + extra)
    return {e: (values, entry) for e in elements if depth[e] == global_depth}


def _sized(settings: Settings, entry: Entry, values, expected: int) -> tuple[str, ...]:
    if len(values) != expected:
        raise settings.error(
            entry,
            f"{len(values)} values where the number of hidden layers asks for {expected}",
            "give one per hidden layer (activations: and one for the output)",
        )
    return tuple(values)


def _element(settings: Settings, entry: Entry, elements: tuple[str, ...]) -> str:
    symbol = entry.fields[0] if entry.fields else ""
    if symbol not in elements:
        raise settings.error(entry, f"element '{symbol}' is not in 'elements'", "fix the symbol")
    return symbol


def _count(settings: Settings, entry: Entry, index: int) -> int:
    value = int(settings.number(entry, index, int))
    if value < 1:
        raise settings.error(entry, f"{value} hidden layers", "n2p2 networks have at least one")
    return value


def _spec(settings, element, depth, nodes, letters) -> NetworkSpec:
    if depth is None or nodes is None or letters is None:
        raise settings.error(
            None,
            f"the network of {element} is not fully given",
            "set global_hidden_layers_short, global_nodes_short and global_activation_short",
        )
    (nodes, nodes_entry), (letters, letters_entry) = nodes, letters
    sizes = []
    for text in nodes:
        if not text.isdigit() or int(text) < 1:
            raise settings.error(nodes_entry, f"layer width '{text}'", "use integers > 0")
        sizes.append(int(text))
    for letter in letters:
        if letter not in ACTIVATION_LETTERS:
            raise settings.error(
                letters_entry,
                f"unknown activation '{letter}'",
                f"n2p2's activations are {' '.join(ACTIVATION_LETTERS)}",
            )
    if letters[-1] != "l":
        raise settings.error(
            letters_entry,
            f"output activation '{letters[-1]}' of {element}",
            "mlpot's networks have a linear output ('l'); retrain with 'l' last",
        )
    names = tuple(ACTIVATION_LETTERS[letter] for letter in letters[:-1])
    activation = names[0] if len(set(names)) == 1 else names
    return NetworkSpec(tuple(sizes), activation)
