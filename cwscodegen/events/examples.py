"""Deterministic, real-shaped example events for a snapshot, valid ones and deliberately broken ones.

The validator benchmark needs a large JSON Lines file of events that look like what agents send,
and the tests need the same events to check that the fast validator and `jsonschema` agree. The
generator walks the schema (following `$ref`s), always fills the required properties, fills some
optional ones (fewer the deeper it goes, so events stay a few kilobytes), and varies the values
with a seeded random generator: the same seed gives the same events, byte for byte.

At the root it mimics a real CWS event: the context properties (`agent`, `title`, `evt`, `date`,
`process`, `usr`, `container`, `cgroup`, when the schema has them) are usually present, plus ONE
event-specific property (`file`, `dns`, `exit`, ...), whose name is then also `evt.name`.

`mutate` breaks an event in one of the ways real producers get wrong: an unknown property, a
dropped property, a wrong type, an integer sent as a float, a malformed timestamp. The mutated
event is not guaranteed to be invalid (a dropped property may be optional; a float like `2.0` is
an integer from draft-06 on); callers decide validity with the validator, never from the kind.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from typing import Any

from cwscodegen.store.refs import Resolver

_WORDS = (
    "bash",
    "curl",
    "nginx",
    "python3",
    "sshd",
    "containerd",
    "kubelet",
    "systemd",
    "cron",
    "java",
    "postgres",
    "redis",
    "node",
    "sh",
    "runc",
    "dockerd",
    "agent",
    "sudo",
    "vim",
    "tar",
)
_DIRS = ("/usr/bin", "/bin", "/usr/sbin", "/etc", "/var/log", "/tmp", "/opt/app", "/home/ubuntu")
CONTEXT = ("agent", "title", "evt", "date", "process", "usr", "container", "cgroup")
MUTATIONS = ("unknown-property", "missing-property", "wrong-type", "float-integer", "bad-date-time")


class EventGenerator:
    """Events for one schema document; `seed` fixes the sequence."""

    def __init__(self, document: Any, seed: int = 0, max_depth: int = 4) -> None:
        self.document = document
        self.resolver = Resolver(document, "<schema>")
        self.random = random.Random(seed)
        self.max_depth = max_depth

    def event(self) -> Any:
        """One event valid under the schema (for the kinds of schema the snapshots use)."""
        return self.value(self.document, "", 0, "")

    def value(self, schema: Any, where: str, depth: int, name: str) -> Any:
        schema = self.deref(schema, where)
        if schema is True or not isinstance(schema, Mapping):
            return self.word()
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = kind[0] if kind else None
        if kind == "object" or (kind is None and "properties" in schema):
            return self.object(schema, where, depth)
        if kind == "array":
            items = schema.get("items", True)
            count = self.random.randint(0, 3 if depth < self.max_depth else 1)
            return [self.value(items, where + "/items", depth + 1, name) for _ in range(count)]
        if kind == "integer":
            return self.random.choice((0, 1, self.random.randint(0, 65535), self.random.randint(0, 2**40)))
        if kind == "number":
            return round(self.random.uniform(0, 1e6), 3)
        if kind == "boolean":
            return self.random.random() < 0.5
        if kind == "null":
            return None
        if schema.get("format") == "date-time":
            return self.timestamp()
        return self.text(name)

    def object(self, schema: Mapping[str, Any], where: str, depth: int) -> dict[str, Any]:
        if depth == 0:
            return self.root(schema)
        required = set(schema.get("required", ()))
        share = (0.35, 0.5, 0.3, 0.15, 0.05)[min(depth, 4)] if depth < self.max_depth else 0.0
        out: dict[str, Any] = {}
        for key, sub in (schema.get("properties") or {}).items():
            if key in required or self.random.random() < share:
                out[key] = self.value(sub, f"{where}/properties/{key}", depth + 1, key)
        return out

    def root(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """Context properties, usually, and one event-specific property, always (when any)."""
        properties = schema.get("properties") or {}
        required = set(schema.get("required", ()))
        payloads = [key for key in properties if key not in CONTEXT and key not in required]
        chosen = self.random.choice(payloads) if payloads else None
        out: dict[str, Any] = {}
        for key, sub in properties.items():
            if key in required or key == chosen or (key in CONTEXT and self.random.random() < 0.85):
                out[key] = self.value(sub, f"/properties/{key}", 1, key)
        context = out.get("evt")
        evt = self.deref(properties.get("evt"), "/properties/evt")
        name = self.deref(evt.get("properties", {}).get("name"), "") if isinstance(evt, Mapping) else None
        if (
            chosen is not None
            and isinstance(context, dict)
            and isinstance(name, Mapping)
            and name.get("type") == "string"
        ):
            context["name"] = chosen
        return out

    def deref(self, schema: Any, where: str) -> Any:
        for _ in range(64):
            if not (isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str)):
                return schema
            where, schema = self.resolver.resolve(schema["$ref"], where)
        return schema

    def timestamp(self) -> str:
        r = self.random
        stamp = f"{r.randint(2021, 2024)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"
        if r.random() < 0.5:
            stamp += f".{r.randint(0, 999999):06d}"
        return stamp + r.choice(("Z", "+00:00", "+02:00", "-05:00"))

    def word(self) -> str:
        return self.random.choice(_WORDS)

    def text(self, name: str) -> str:
        if "path" in name or name == "file":
            return f"{self.random.choice(_DIRS)}/{self.word()}"
        if name.endswith("id"):
            return f"{self.random.getrandbits(64):016x}"
        return f"{self.word()}-{self.random.randint(0, 999)}"

    def mutate(self, event: Any, kind: str) -> Any:
        """A copy of `event` broken in the way `kind` (one of MUTATIONS) names, where possible."""
        broken = copy.deepcopy(event)
        places = list(_objects(broken))
        r = self.random
        if kind == "unknown-property":
            r.choice(places)[f"unexpected_{r.randint(0, 99)}"] = self.word()
        elif kind == "missing-property":
            holder = r.choice(places)
            if holder:
                del holder[r.choice(sorted(holder))]
        else:
            leaves = [(holder, key) for holder in places for key, value in holder.items() if _is_leaf(kind, value)]
            if leaves:
                holder, key = r.choice(leaves)
                holder[key] = _broken_leaf(kind, holder[key], r)
        return broken


def _objects(node: Any) -> list[dict[str, Any]]:
    """Every JSON object inside `node`, outermost first."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _objects(value)
    elif isinstance(node, list):
        for value in node:
            found += _objects(value)
    return found


def _is_leaf(kind: str, value: Any) -> bool:
    if kind == "bad-date-time":
        return isinstance(value, str) and len(value) > 18 and value[4] == "-" and value[10] == "T"
    if kind == "float-integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (str, int, bool))


def _broken_leaf(kind: str, value: Any, r: random.Random) -> Any:
    if kind == "bad-date-time":  # space for T, no offset, month 13, day 32
        date, time = value[:10], value[11:]
        return r.choice((f"{date} {time}", value[:19], f"{date[:5]}13{date[7:]}T{time}", f"{date[:8]}32T{time}"))
    if kind == "float-integer":
        return r.choice((float(value), value + 0.5))
    if isinstance(value, bool):
        return r.choice((0, "true"))
    if isinstance(value, int):
        return r.choice((str(value), True))
    return r.choice((len(value), None, [value]))
