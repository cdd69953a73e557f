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

# libyaml's loader, as python-frontmatter would use.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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
