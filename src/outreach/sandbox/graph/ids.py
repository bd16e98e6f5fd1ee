"""How one item's EWS id and Graph id relate: the same id, Graph's URL-safe spelling of it.

Exchange's REST ids are its EWS ids in URL-safe base64 ('+' -> '-', '/' -> '_', padding
kept), so an item made on one face is named on the other without a lookup table. Users'
Graph ids are GUIDs derived from the address (stable across restarts).
"""

from __future__ import annotations

import uuid

_TO_GRAPH = str.maketrans("+/", "-_")
_TO_EWS = str.maketrans("-_", "+/")


def to_graph(ews_id: str) -> str:
    return ews_id.translate(_TO_GRAPH)


def to_ews(graph_id: str) -> str:
    return graph_id.translate(_TO_EWS)


def user_id(address: str) -> str:
    """The directory object id of a user: a GUID, stable for the address."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "mailto:" + address.lower()))
