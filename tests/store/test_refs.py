"""Local reference resolution, remote references refused, drafts recognised."""

from __future__ import annotations

import pytest

from cwscodegen.errors import UserError
from cwscodegen.store.refs import Resolver, definitions, draft_of, iter_refs, pointer, unescape


def test_pointer_escaping_round_trips() -> None:
    assert pointer("properties", "a/b", "c~d", 0) == "/properties/a~1b/c~0d/0"
    assert unescape("a~1b~0c") == "a/b~c"


def test_resolves_both_definition_spellings_and_id_prefix() -> None:
    doc = {
        "$id": "https://example.com/s",
        "definitions": {"A": {"type": "string"}},
        "$defs": {"B": {"type": "integer"}},
    }
    resolver = Resolver(doc, "s.json")
    assert resolver.resolve("#/definitions/A", "/x") == ("/definitions/A", {"type": "string"})
    assert resolver.resolve("#/$defs/B", "/x")[1] == {"type": "integer"}
    assert resolver.resolve("https://example.com/s#/$defs/B", "/x")[0] == "/$defs/B"
    assert set(definitions(doc)) == {"A", "B"}


def test_remote_reference_is_refused_not_fetched() -> None:
    doc = {"properties": {"a": {"$ref": "https://example.com/other.json#/x"}}}
    with pytest.raises(UserError, match=r"s\.json: \$ref at /properties/a: .* never fetched"):
        Resolver(doc, "s.json").check_all()


def test_refs_inside_enum_values_are_not_references() -> None:
    doc = {"enum": [{"$ref": "not-a-ref"}], "properties": {"a": {"$ref": "#"}}}
    assert list(iter_refs(doc)) == [("/properties/a", "#")]
    Resolver(doc, "s.json").check_all()


@pytest.mark.parametrize(
    ("uri", "draft"),
    [
        ("http://json-schema.org/draft-04/schema#", "draft4"),
        ("http://json-schema.org/draft-07/schema#", "draft7"),
        ("https://json-schema.org/draft/2020-12/schema", "draft2020-12"),
        ("http://json-schema.org/draft/2020-12/schema", "draft2020-12"),
    ],
)
def test_draft_detection(uri: str, draft: str) -> None:
    assert draft_of({"$schema": uri}) == draft
    assert draft_of({}) == "draft2020-12"
