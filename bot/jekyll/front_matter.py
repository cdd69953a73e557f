"""A front matter's YAML as Python values, the same as `yaml.load` with libyaml's safe
loader gives (pure): libyaml makes the nodes, and a plain document (mappings, lists
and scalars, no alias, no merge key, no other tag) is walked here; any other goes to
PyYAML's constructor. Its generators and state per node were half the time of
reading a post's YAML. tests/test_shortcuts.py holds the two to the same answers.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, as python-frontmatter's


class _Loader(_BASE):  # type: ignore[misc]
    """libyaml's safe loader with PyYAML's implicit tags looked up faster: libyaml asks
    for one per scalar (17 a front matter), and PyYAML's lookup joins two lists and asks
    for path resolvers (none here) each time."""

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in _RESOLVERS.get(value[:1], _WILDCARD):
                    if regexp.match(value):
                        return str(tag)
            return _STR
        return str(super().resolve(kind, value, implicit))


LOADER = _Loader
_WILDCARD = tuple(_BASE.yaml_implicit_resolvers.get(None, []))
# Per first character ('' for an empty scalar), the wildcard ones after, as PyYAML tries them.
_RESOLVERS = {
    first: (*resolvers, *_WILDCARD)
    for first, resolvers in _BASE.yaml_implicit_resolvers.items()
    if first is not None
}

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
# The scalars' tags whose PyYAML functions return their value (those of collections
# are generators; `=` and a tag of the document's own are PyYAML's to refuse).
_SCALARS = frozenset(
    f"tag:yaml.org,2002:{kind}" for kind in ("null", "bool", "int", "float", "binary", "timestamp")
)
_DEEPEST = 40  # deeper than any front matter: PyYAML's constructor, which does not recurse


class _NotPlain(Exception):
    """The document holds what only PyYAML's constructor makes."""


def load(block: str) -> Any:
    """`yaml.load(block, Loader=LOADER)`, faster for a plain document."""
    loader = LOADER(block)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" not in block:  # no alias: every node is used once, a tree
            try:
                return _plain(node, loader, 0)
            except Exception:  # _NotPlain, or any of the ways PyYAML's functions fail
                pass  # PyYAML's constructor decides, and its failure is the one told
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _plain(node: Node, loader: Any, depth: int) -> Any:
    if depth > _DEEPEST:
        raise _NotPlain
    tag = node.tag
    if isinstance(node, ScalarNode):
        if tag == _STR:
            return node.value
        if tag not in _SCALARS:
            raise _NotPlain
        return loader.yaml_constructors[tag](loader, node)
    if isinstance(node, SequenceNode) and tag == _SEQ:
        return [_plain(item, loader, depth + 1) for item in node.value]
    if isinstance(node, MappingNode) and tag == _MAP:
        mapping = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _NotPlain  # a list or mapping as a key
            key = _plain(key_node, loader, depth + 1)  # a merge key (<<) is not plain
            mapping[key] = _plain(value_node, loader, depth + 1)
        return mapping
    raise _NotPlain  # !!set, !!omap, !!pairs, a tag of the document's own
