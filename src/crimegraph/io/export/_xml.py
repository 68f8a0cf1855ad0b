"""Text an XML file can hold: what the GraphML, GEXF and ANX writers share.

XML 1.0 cannot hold most control characters (the vertical tab and form feed that pastes from
word processors and spreadsheets bring, ``\\x01``...), lone surrogates, or U+FFFE and U+FFFF:
a file with one is no XML, and every reader refuses the whole file. The writers put U+FFFD
(the replacement character, shown as a question mark in a diamond) in their place. A
carriage return is kept: it is written as the character reference ``&#13;``, because a raw
one is read back as a line feed (``\\r\\n`` would become ``\\n``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...errors import InvalidArgument

__all__ = ["NOT_IN_XML", "REPLACEMENT", "write_xml", "xml_safe_graph", "xml_text"]

NOT_IN_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""One character XML 1.0 cannot hold."""
REPLACEMENT = "\ufffd"


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return NOT_IN_XML.sub(REPLACEMENT, value) if NOT_IN_XML.search(value) else value


def _clean(value: Any) -> Any:
    return xml_text(value) if isinstance(value, str) else value


def _clean_attrs(data: dict[str, Any]) -> dict[str, Any]:
    return {_clean(k): _clean(v) for k, v in data.items()}


def xml_safe_graph(graph: Any, *, function: str) -> Any:
    """A copy of a flat graph whose ids, keys and text values XML 1.0 can hold.

    Raises
    ------
    InvalidArgument
        If two node ids become the same once cleaned (they differ only in such characters).
    """
    safe = graph.__class__()
    safe.graph.update(_clean_attrs(dict(graph.graph)))
    names: dict[Any, Any] = {}
    taken: dict[Any, Any] = {}
    for node, data in graph.nodes(data=True):
        name = _clean(node)
        if taken.setdefault(name, node) != node:
            raise InvalidArgument(
                f"{function}: node ids {node!r} and {taken[name]!r} differ only in characters "
                "an XML file cannot hold; give them ids that differ otherwise")
        names[node] = name
        safe.add_node(name, **_clean_attrs(data))
    if graph.is_multigraph():
        for u, v, key, data in graph.edges(keys=True, data=True):
            safe.add_edge(names[u], names[v], key=_clean(key), **_clean_attrs(data))
    else:
        for u, v, data in graph.edges(data=True):
            safe.add_edge(names[u], names[v], **_clean_attrs(data))
    return safe


def write_xml(text: bytes, path: str | Path) -> Path:
    """Write serialized XML, every carriage return as ``&#13;`` so that it reads back as one.

    Outside text and attribute values the serializers write no carriage return, so each one
    in ``text`` is part of a value.
    """
    out = Path(path)
    out.write_bytes(text.replace(b"\r", b"&#13;"))
    return out
