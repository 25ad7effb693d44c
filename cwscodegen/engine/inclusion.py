"""Set inclusion between two prepared schemas: is every instance valid under `sub` valid under `sup`?

`Inclusion(...).includes(sub, sup)` answers YES, NO or UNKNOWN. Only YES may ever become a
"compatible" verdict, so every YES below rests on an argument that holds for all JSON values;
whenever an argument is missing the answer is UNKNOWN (or NO when `sub` plainly allows values that
`sup` rejects). BACKWARD(OLD -> NEW) is `includes(old, new)`; FORWARD is the swap.

How it decides, keyword by keyword on what `sup` demands (see docs/engine.md, and the keyword
table in docs/engine-drafts.md):
- `enum` on the sub side is decided exactly: each allowed value is validated against `sup`;
- types (`integer` within `number`), numeric bounds (draft-04 exclusive forms are normalised by
  `normalize`), `multipleOf`, lengths, `pattern` (automata, `patterns`), `format` (asserted; which
  format implies which, `formats`);
- arrays position by position (tuple and list forms), objects name by name, with
  `patternProperties`/`additionalProperties` for names one side does not list;
- `$ref`s are followed on both sides; a pair met again while it is being decided is assumed
  included (coinduction, sound because instances are finite). Results that leaned on such an
  assumption are cached only once the assumption is settled;
- combinators: `allOf` in `sup` is a conjunction; `anyOf` needs one including branch; `oneOf`
  also needs the other branches proven disjoint; `not` needs disjointness; anything else UNKNOWN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from enum import Enum
from fractions import Fraction
from typing import Any

from cwscodegen.engine.normalize import FLOAT_STEP, STRICT_INTEGER, Node, PairIndex, json_type, with_twins
from cwscodegen.store import ecma

ALL_TYPES = frozenset({"null", "boolean", "object", "array", "number", "string"})
# Each type as a set of disjoint atoms, so draft-04's `integer` (written without a fraction:
# `1`, not `1.0`) sits strictly inside draft-06's (`1` and `1.0`), inside `number`.
_ATOMS: dict[str, frozenset[str]] = {
    **{t: frozenset([t]) for t in ("null", "boolean", "object", "array", "string")},
    "number": frozenset({"int-literal", "int-float", "fraction"}),
    "integer": frozenset({"int-literal", "int-float"}),
    STRICT_INTEGER: frozenset({"int-literal"}),
}
INTEGERS = ("integer", STRICT_INTEGER)
_SMALL_RANGE = 64
# Proof depth: deeper pairs answer UNKNOWN (sound) instead of exhausting Python's stack. A level
# of an object proof takes about 13 Python frames (`includes` ... `members_in` ... `includes`), so
# 80 levels overflowed the default limit of 1,000 on a document nested to `normalize.MAX_NESTING`
# (80 schema levels): a RecursionError, not an answer. 48 levels leave room for the caller's frames
# (a test runner's, say) and for `emptiness`, which recurses up to 24 levels at the deepest one.
MAX_PROOF_DEPTH = 48
# Proof steps (pairs decided, disjointness checks) one `Inclusion` may take: a fixed allowance
# plus some per schema node of the documents it meets. Past it every new question is UNKNOWN
# (sound), so `anyOf`/`allOf`/`oneOf` lists of thousands of branches, which compare branch with
# branch, cost a bounded amount of work per node. The 74 CWS snapshots never needed more than 710
# steps, about two per node; the peer suites' pairs at most 28.
STEP_ALLOWANCE = 5_000
STEPS_PER_NODE = 4


class Answer(str, Enum):
    """YES: proven included. NO: a value of `sub` is rejected by `sup`. UNKNOWN: not decided."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


YES, NO, UNKNOWN = Answer.YES, Answer.NO, Answer.UNKNOWN


def conj(answers: Iterable[Answer]) -> Answer:
    """Both must hold: NO wins over UNKNOWN, which wins over YES."""
    worst = YES
    for answer in answers:
        if answer is NO:
            return NO
        if answer is UNKNOWN:
            worst = UNKNOWN
    return worst


def deref(node: Node) -> Node:
    """Follow plain `$ref`s (no asserting siblings) to the schema they mean."""
    seen = 0
    while node.ref is not None and not node.sibling_asserts and seen < 64:
        target = node.prep.targets.get(node.ref)
        if target is None:
            break
        node, seen = target, seen + 1
    return node


def target(node: Node) -> Node:
    """The schema a `$ref` of `node` names (the node itself when it has none)."""
    return node.prep.targets[node.ref] if node.ref is not None else node


def type_atoms(types: Iterable[str]) -> frozenset[str]:
    found: set[str] = set()
    for name in types:
        found |= _ATOMS.get(name, frozenset([name]))
    return frozenset(found)


def types_of(node: Node) -> frozenset[str] | None:
    """The JSON types the node's own `type`/`enum` allow (None: all), `integer` kept distinct."""
    if node.enum is not None:
        return frozenset(json_type(v) for v in node.enum_raw)  # "integer": `1` and `1.0` are equal
    return node.types


def type_allowed(kind: str, allowed: frozenset[str] | None) -> bool:
    """Is every value of type `kind` of the given type set? (`integer` lies within `number`,
    draft-04's `integer` within later drafts' `integer`, not the other way round.)"""
    if allowed is None:
        return True
    return kind in allowed or type_atoms([kind]) <= type_atoms(allowed)


def types_overlap(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    """Could a value have a type in both sets?"""
    if a is None or b is None:
        return True
    return bool(type_atoms(a) & type_atoms(b))


def _kinds(types: frozenset[str] | None) -> list[str]:
    """The type cases to check for `sub`, each integer type dropped where a wider type covers it."""
    found = set(ALL_TYPES if types is None else types)
    if "number" in found:
        found -= set(INTEGERS)
    if "integer" in found:
        found.discard(STRICT_INTEGER)
    return sorted(found)


_DISCRIMINATED: dict[int, tuple[Sequence[Node], bool]] = {}


def discriminated_branches(branches: Sequence[Node]) -> bool:
    """Are the branches pairwise disjoint because each is an object that requires one same key
    and allows it only values (`enum`/`const`) no other branch allows? Linear, where checking the
    branches pair by pair made a `oneOf` of thousands of tagged branches quadratic."""
    hit = _DISCRIMINATED.get(id(branches))
    if hit is not None and hit[0] is branches:
        return hit[1]
    nodes = [deref(b) for b in branches]
    found = all(types_of(n) == frozenset({"object"}) for n in nodes) and any(
        _tags_apart(nodes, key) for key in sorted(_common_required(nodes))
    )
    if len(_DISCRIMINATED) > 4096:
        _DISCRIMINATED.clear()
    _DISCRIMINATED[id(branches)] = (branches, found)
    return found


def _common_required(nodes: Sequence[Node]) -> frozenset[str]:
    common: frozenset[str] = nodes[0].kw.get("required", frozenset()) if nodes else frozenset()
    for node in nodes[1:]:
        common &= node.kw.get("required", frozenset())
    return common


def _tags_apart(nodes: Sequence[Node], key: str) -> bool:
    seen: set[Any] = set()
    for node in nodes:
        tag = deref(node.props[key]) if key in node.props else None
        if tag is None or tag.enum is None or seen.intersection(tag.enum):
            return False
        seen.update(tag.enum)
    return True


def regex_search(pattern: str, text: str) -> bool | None:
    """Does `pattern` match in `text`, read as ECMA-262 as the validators read it, in linear time
    (`store.ecma`)? None if the engine cannot run it."""
    try:
        return ecma.search(pattern, text)
    except ecma.PatternError:
        return None


class Inclusion:
    """Decides inclusion between nodes of two prepared documents, with caching and coinduction.

    `index` (a `PairIndex` of the two documents) lets structurally equal subtrees answer YES in
    O(1). One instance serves both directions of one document pair.
    """

    def __init__(self, index: PairIndex | None = None) -> None:
        self.index = index
        self.steps_left = STEP_ALLOWANCE
        self._sized: set[int] = set()
        self._by_sem: dict[int, tuple[Sequence[Node], dict[int, list[Node]]]] = {}
        self._done: dict[tuple[int, int], Answer] = {}
        self._stack: list[tuple[int, int]] = []
        self._depth_of: dict[tuple[int, int], int] = {}
        self._low: list[int] = []

    # ------------------------------------------------------------------ entry point
    def includes(self, sub: Node | None, sup: Node | None) -> Answer:
        """Is every instance valid under `sub` valid under `sup`? (None stands for `true`.)

        UNKNOWN when deciding it needs a value checked against a pattern the linear-time engine
        cannot run (`ecma.PatternError`, lookaround or a backreference): caught at the outermost
        call only, where no proof is half-built (each level restores its own state)."""
        if self._stack:
            return self._includes(sub, sup)
        try:
            return self._includes(sub, sup)
        except ecma.PatternError:
            return UNKNOWN

    def _includes(self, sub: Node | None, sup: Node | None) -> Answer:
        if sup is None:
            return YES
        sup = deref(sup)
        if sub is None:
            return YES if sup.is_true else self._true_in(sup)
        sub = deref(sub)
        key = (id(sub), id(sup))
        done = self._done.get(key)
        if done is not None:
            return done
        depth = self._depth_of.get(key)
        if depth is not None:  # met again while deciding it: assume YES, note how deep we leaned
            self._low[-1] = min(self._low[-1], depth)
            return YES
        here = len(self._stack)
        if here >= MAX_PROOF_DEPTH or not self._step(sub, sup):
            return UNKNOWN
        self._stack.append(key)
        self._depth_of[key] = here
        self._low.append(here)
        try:
            answer = self._decide(sub, sup)
        finally:
            self._stack.pop()
            del self._depth_of[key]
            low = self._low.pop()
        if self._low:
            self._low[-1] = min(self._low[-1], low)
        if answer is not YES or low >= here:
            self._done[key] = answer
        return answer

    def accepts(self, node: Node, value: Any) -> bool:
        """Validate one value against a subschema, inside its own document (formats asserted)."""
        return node.accepts(value)

    def _step(self, *nodes: Node) -> bool:
        """Take one proof step; False once the allowance (grown by each new document's size) is spent."""
        for node in nodes:
            if id(node.prep) not in self._sized:
                self._sized.add(id(node.prep))
                self.steps_left += STEPS_PER_NODE * len(node.prep.by_pointer)
        self.steps_left -= 1
        return self.steps_left >= 0

    def _equal_among(self, a: Node, nodes: Sequence[Node]) -> bool:
        """Is a node of `nodes` structurally equal to `a`? A lookup by `sem` id, where trying each
        in turn made long `anyOf`/`allOf` lists quadratic (an equal node includes `a`: YES)."""
        if self.index is None or len(nodes) < 8:
            return False
        hit = self._by_sem.get(id(nodes))
        if hit is None or hit[0] is not nodes:
            grouped: dict[int, list[Node]] = {}
            for node in nodes:
                grouped.setdefault(deref(node).sem, []).append(deref(node))
            hit = self._by_sem[id(nodes)] = (nodes, grouped)
        index = self.index
        return any(index.equal(a, node) for node in hit[1].get(a.sem, ()))

    # ------------------------------------------------------------------ the decision
    def _decide(self, a: Node, b: Node) -> Answer:
        """The keyword-wise answer, then the rewrites it misses: the type-split normal form of
        combinators (`algebra`), and satisfiability (an empty `a` lies in anything; a NO needs a
        value of `a`, an empty `b` holds none)."""
        from cwscodegen.engine import algebra, emptiness

        answer = self._direct(a, b)
        if answer is YES:
            return YES
        if (a.combinators or b.combinators) and algebra.included(self, a, b):
            return YES
        if emptiness.proven_empty(a):
            return YES
        if answer is NO or emptiness.proven_empty(b):
            return NO if emptiness.empty(a) is NO else UNKNOWN
        return answer

    def _direct(self, a: Node, b: Node) -> Answer:
        if a.false or b.is_true:
            return YES
        if self.index is not None and self.index.equal(a, b):
            return YES
        if a.enum is not None:
            return self._listed_in(a, b)
        if b.false:
            return UNKNOWN if a.combinators else NO
        answer = conj(self._sup_parts(a, b))
        if answer is YES or not a.combinators:
            return answer
        return self._sub_combinators(a, b)

    def _sub_combinators(self, a: Node, b: Node) -> Answer:
        """`a` is narrower than its plain keywords: one including conjunct, or all branches, suffice."""
        conjuncts = [*a.allof, *([target(a)] if a.ref is not None else [])]
        if self._equal_among(b, a.allof) or any(self.includes(c, b) is YES for c in conjuncts):
            return YES
        branches = a.anyof or a.oneof
        if branches and all(self.includes(br, b) is YES for br in branches):
            return YES
        return UNKNOWN

    def _sup_parts(self, a: Node, b: Node) -> Iterator[Answer]:
        """Each constraint `b` adds, as an answer; lazily, so a NO stops the work early."""
        if b.ref is not None and b.sibling_asserts:
            yield self.includes(a, target(b))
        for branch in b.allof:
            yield self.includes(a, branch)
        if b.anyof:
            yield self._any(a, b.anyof)
        if b.oneof:
            yield self._one(a, b.oneof)
        if b.not_ is not None:
            yield self.disjoint(a, b.not_)
        if b.if_ is not None:
            yield self._conditional(a, b)
        if b.unknown:  # e.g. unevaluatedProperties: meaning depends on the other keywords
            yield UNKNOWN
        yield self._plain(a, b)

    def _conditional(self, a: Node, b: Node) -> Answer:
        """Same `if` on both sides: each branch of `a` must lie within the same branch of `b`."""
        if a.if_ is None or b.if_ is None or not self._equal(a.if_, b.if_):
            return UNKNOWN
        both = conj([self.includes(a.then, b.then), self.includes(a.else_, b.else_)])
        if both is YES:
            return YES
        from cwscodegen.engine.algebra import branch_included

        held = branch_included(self, a, a.then, b.then) and branch_included(self, a, a.else_, b.else_)
        return YES if held else UNKNOWN

    def _equal(self, a: Node, b: Node) -> bool:
        return self.includes(a, b) is YES and self.includes(b, a) is YES

    def _values_in(self, values: Iterable[Any], b: Node) -> Answer:
        return YES if all(self.accepts(b, v) for v in values) else NO

    def _listed_in(self, a: Node, b: Node) -> Answer:
        """`a` lists its values: each one (and its numeric twins) must pass `b`. Two plain enums
        compare as sets: the twins of a value share its `canon`, and plain enums judge by it."""
        if a.enum_only is not None and b.enum_only is not None:
            return YES if a.enum_only <= b.enum_only else NO
        values = with_twins(a.enum_raw)
        return self._values_in(values if a.enum_only is not None else (v for v in values if self.accepts(a, v)), b)

    def _true_in(self, b: Node) -> Answer:
        """Is `true` included in `b`? Only if `b` accepts everything; a plain keyword means NO."""
        if b.false or b.types is not None or b.enum is not None:
            return NO
        return UNKNOWN if b.combinators or b.unknown else NO

    # ------------------------------------------------------------------ combinators in `sup`
    def _any(self, a: Node, branches: Sequence[Node]) -> Answer:
        if self._equal_among(a, branches) or any(self.includes(a, br) is YES for br in branches):
            return YES
        split = a.anyof or a.oneof
        if split and all(self._in_one(deref(part), branches) for part in split):
            return YES
        if not any(types_overlap(types_of(a), types_of(deref(br))) for br in branches) and not a.combinators:
            return NO
        return UNKNOWN

    def _in_one(self, a: Node, branches: Sequence[Node]) -> bool:
        return self._equal_among(a, branches) or any(self.includes(a, br) is YES for br in branches)

    def _one(self, a: Node, branches: Sequence[Node]) -> Answer:
        parts = list(a.anyof or a.oneof) or [a]
        for part in parts:
            if not self._exactly_one(part, branches):
                break
        else:
            return YES
        if not any(types_overlap(types_of(a), types_of(deref(br))) for br in branches) and not a.combinators:
            return NO
        return UNKNOWN

    def _exactly_one(self, a: Node, branches: Sequence[Node]) -> bool:
        if len(branches) >= 8 and discriminated_branches(branches):  # within one, so outside the rest
            return self._in_one(deref(a), branches)
        for i, branch in enumerate(branches):
            if self.includes(a, branch) is YES:
                return all(self.disjoint(a, other) is YES for j, other in enumerate(branches) if j != i)
        return False

    def disjoint(self, a: Node, x: Node) -> Answer:
        """YES when no value is valid under both (so `a` lies within `not x`); else UNKNOWN."""
        a, x = deref(a), deref(x)
        if a.false or x.false:
            return YES
        if not self._step(a, x):
            return UNKNOWN
        if not types_overlap(types_of(a), types_of(x)):
            return YES
        if a.enum is not None and not any(self.accepts(x, v) for v in with_twins(a.enum_raw)):
            return YES
        if x.enum is not None and not any(self.accepts(a, v) for v in with_twins(x.enum_raw)):
            return YES
        if a.not_ is not None and self.includes(x, a.not_) is YES:
            return YES
        if self._discriminated(a, x):
            return YES
        return UNKNOWN

    def _discriminated(self, a: Node, x: Node) -> bool:
        """Both objects require a key whose allowed `enum`/`const` values do not meet."""
        if not (type_allowed("object", a.types) or a.types is None):
            return False
        both = a.kw.get("required", frozenset()) & x.kw.get("required", frozenset())
        for name in sorted(both):
            pa, px = a.props.get(name), x.props.get(name)
            if pa is None or px is None:
                continue
            pa, px = deref(pa), deref(px)
            disjoint_enums = pa.enum is not None and px.enum is not None and not set(pa.enum) & set(px.enum)
            if disjoint_enums and types_of(a) == frozenset({"object"}) == types_of(x):
                return True
        return False

    # ------------------------------------------------------------------ plain keywords
    def _plain(self, a: Node, b: Node) -> Answer:
        """`a`'s own keywords against `b`'s own keywords, one JSON type at a time."""
        a_types, b_types = types_of(a), b.types
        if b.enum is not None:
            return self._finite_in(a, b)
        answers: list[Answer] = []
        for kind in _kinds(a_types):
            if not type_allowed(kind, b_types):
                if kind == "number" and b_types is not None and "integer" in b_types and _integral(a):
                    kind = "integer"  # multipleOf 1 admits `1.0`: within draft-06+ `integer` only
                else:
                    return NO
            check = _CHECKS.get(kind)
            if check is not None:
                answer = check(self, a, b, kind)
                if answer is NO:
                    return NO
                answers.append(answer)
        return conj(answers)

    def _finite_in(self, a: Node, b: Node) -> Answer:
        """`b` lists its values: include `a` only if `a`'s values can be listed and all pass."""
        values = _enumerate(a)
        if values is None:
            return NO
        return self._values_in((v for v in values if self.accepts(a, v)), b)

    def _numbers(self, a: Node, b: Node, kind: str) -> Answer:
        integer = kind in INTEGERS
        low_a, low_b = _lower(a, integer), _lower(b, integer)
        if low_b is not None and (low_a is None or _below(low_a, low_b)):
            return NO
        high_a, high_b = _upper(a, integer), _upper(b, integer)
        if high_b is not None and (high_a is None or _above(high_a, high_b)):
            return NO
        step_b = b.kw.get("multipleOf")
        if step_b is not None:
            if step_within(a, b) is YES:
                return YES
            if integer and (1 / step_b).denominator == 1:
                return YES  # 1 or a power-of-two fraction: every integer is an exact multiple
            values = _integers(a, integer)  # a few values: ask the validator about each
            if values is not None:
                return self._values_in((v for v in with_twins(values) if self.accepts(a, v)), b)
            return step_within(a, b)
        return YES

    def _strings(self, a: Node, b: Node, kind: str) -> Answer:
        answers = [_string_shapes(a, b)]
        lengths = "minLength" in a.kw or "maxLength" in a.kw  # may keep out the strings that differ
        fmt = b.kw.get("format")
        if fmt is not None and a.kw.get("format") != fmt:
            from cwscodegen.engine.formats import implies

            narrowed = lengths or "pattern" in a.kw  # other keywords may keep out the strings that differ
            answers.append(YES if implies(a.kw.get("format"), fmt) else UNKNOWN if narrowed else NO)
        return conj(answers)

    def _arrays(self, a: Node, b: Node, kind: str) -> Answer:
        if not _within(a.kw.get("minItems"), a.kw.get("maxItems"), b.kw.get("minItems"), b.kw.get("maxItems")):
            return NO
        answers: list[Answer] = []
        if b.kw.get("uniqueItems") and not a.kw.get("uniqueItems") and a.kw.get("maxItems", 2) > 1:
            return NO
        most = a.kw.get("maxItems")
        for i in range(max(len(a.prefix), len(b.prefix))):
            if most is not None and i >= most:
                break
            item_a = a.prefix[i] if i < len(a.prefix) else a.items
            if item_a is not None and deref(item_a).false:
                break  # no array of `a` reaches this position
            item_b = b.prefix[i] if i < len(b.prefix) else b.items
            answers.append(self.includes(item_a, item_b))
        tail_reached = most is None or most > max(len(a.prefix), len(b.prefix))
        if tail_reached:
            answers.append(self.includes(a.items, b.items))
        if b.contains is not None:
            answers.append(self._contains(a, b))
        return conj(answers)

    def _contains(self, a: Node, b: Node) -> Answer:
        """`b` wants between minContains (default 1) and maxContains items matching its `contains`.

        At least: `a` wants as many items matching a narrower schema, or at least that many items
        all matching. At most: `a` has at most that many items, or at most that many matching a
        wider schema. UNKNOWN otherwise (a witness may still show a break)."""
        assert b.contains is not None
        low_b, high_b = b.kw.get("minContains", 1), b.kw.get("maxContains")
        answers: list[Answer] = []
        if low_b > 0:
            narrower = (
                a.contains is not None
                and a.kw.get("minContains", 1) >= low_b
                and self.includes(a.contains, b.contains) is YES
            )
            all_match = not a.prefix and a.kw.get("minItems", 0) >= low_b and self.includes(a.items, b.contains) is YES
            answers.append(YES if narrower or all_match else UNKNOWN)
        if high_b is not None:
            high_a = a.kw.get("maxContains")
            few = a.kw.get("maxItems") is not None and a.kw["maxItems"] <= high_b
            wider = (
                a.contains is not None
                and high_a is not None
                and high_a <= high_b
                and self.includes(b.contains, a.contains) is YES
            )
            answers.append(YES if few or wider else UNKNOWN)
        return conj(answers)

    def _objects(self, a: Node, b: Node, kind: str) -> Answer:
        answers: list[Answer] = []
        least, most = max(a.kw.get("minProperties", 0), len(a.kw.get("required", ()))), _max_properties(a)
        if not _within(least, most, b.kw.get("minProperties"), b.kw.get("maxProperties")):
            return NO
        required_a: frozenset[str] = a.kw.get("required", frozenset())
        if not b.kw.get("required", frozenset()) <= required_a:
            return NO
        if most == 0:
            return YES  # `{}` only: no member for `b`'s member keywords to reject
        for name in sorted(set(a.props) | set(b.props)):
            schemas_a = member_schemas(a, name)
            if schemas_a is None:
                answers.append(UNKNOWN)
                continue
            if any(deref(s).false for s in schemas_a):
                continue  # `a` never holds this key
            schemas_b = member_schemas(b, name)
            if schemas_b is None:
                answers.append(UNKNOWN)
                continue
            answers.append(self.members_in(schemas_a, schemas_b))
            if answers[-1] is NO:
                return NO
        answers.append(self._unnamed(a, b))
        answers.append(self._names(a, b))
        answers.append(self._dependencies(a, b))
        return conj(answers)

    def _conjunction_in(self, parts: Sequence[Node], b: Node) -> Answer:
        """All of `parts` hold; `b` must follow. One including part proves it; one part alone is exact."""
        if not parts:
            return self.includes(None, b)
        results = [self.includes(p, b) for p in parts]
        if YES in results:
            return YES
        return results[0] if len(parts) == 1 else UNKNOWN

    def members_in(self, parts_a: Sequence[Node], parts_b: Sequence[Node]) -> Answer:
        """A member that must satisfy all of `parts_a`: does it satisfy all of `parts_b`? ([] is any value.)"""
        return conj(self._conjunction_in(parts_a, b) for b in parts_b)

    def _unnamed(self, a: Node, b: Node) -> Answer:
        """Keys that neither side names in `properties`, without deciding how regexes overlap.

        A key matching `b`'s pattern P is held by `a` under `a`'s own P if it has one; otherwise
        under whichever of `a`'s patterns or `additionalProperties` applies, so each must fit.
        A key matching none of `b`'s patterns meets `b.additional` and one of `a`'s schemas for
        keys outside `b`'s patterns."""
        if not a.patterns and a.additional is not None and deref(a.additional).false:
            return YES
        answers = []
        for pattern, schema in sorted(b.patterns.items()):
            if pattern in a.patterns:
                answers.append(self.includes(a.patterns[pattern], schema))
            else:
                answers += [self.includes(s, schema) for s in a.patterns.values()]
                answers.append(self.includes(a.additional, schema))
        answers += [self.includes(s, b.additional) for p, s in sorted(a.patterns.items()) if p not in b.patterns]
        answers.append(self.includes(a.additional, b.additional))
        return conj(answers)

    def _names(self, a: Node, b: Node) -> Answer:
        if b.names is None:
            return YES
        if a.names is not None and self.includes(a.names, b.names) is YES:
            return YES
        closed = not a.patterns and a.additional is not None and deref(a.additional).false
        if closed and all(self.accepts(b.names, name) for name in a.props):
            return YES
        if self.includes(_any_string(b), b.names) is YES:  # every name is a string
            return YES
        return UNKNOWN

    def _dependencies(self, a: Node, b: Node) -> Answer:
        answers: list[Answer] = []
        required_a: frozenset[str] = a.kw.get("required", frozenset())
        deps_a: dict[str, frozenset[str]] = a.kw.get("dependentRequired", {})
        for key, needed in b.kw.get("dependentRequired", {}).items():
            if needed <= required_a or needed <= deps_a.get(key, frozenset()) or _never_holds(a, key):
                continue
            answers.append(NO)
        for key, schema in b.depschemas.items():
            if _never_holds(a, key) or (key in a.depschemas and self.includes(a.depschemas[key], schema) is YES):
                continue
            answers.append(UNKNOWN)
        return conj(answers)


def member_schemas(node: Node, name: str) -> list[Node] | None:
    """The schemas that apply to member `name` (all must hold); [] means any value. None: unreadable pattern."""
    found: list[Node] = []
    if name in node.props:
        found.append(node.props[name])
    for pattern, schema in node.patterns.items():
        hit = regex_search(pattern, name)
        if hit is None:
            return None
        if hit:
            found.append(schema)
    if not found and node.additional is not None:
        found.append(node.additional)
    return found


_STRINGS: dict[int, tuple[Node, Node]] = {}


def _any_string(node: Node) -> Node:
    """A synthetic `{"type": "string"}` in `node`'s document (one per document)."""
    from cwscodegen.engine.normalize import synthetic

    hit = _STRINGS.get(id(node.prep))
    if hit is None or hit[0].prep is not node.prep:
        hit = _STRINGS[id(node.prep)] = (
            node,
            synthetic(node.prep, {"type": "string"}, {"types": frozenset({"string"})}),
        )
        if len(_STRINGS) > 512:
            _STRINGS.clear()
            _STRINGS[id(node.prep)] = hit
    return hit[1]


def _never_holds(node: Node, name: str) -> bool:
    schemas = member_schemas(node, name)
    return bool(schemas) and any(deref(s).false for s in schemas or ())


def _integral(node: Node) -> bool:
    step = node.kw.get("multipleOf")
    return step is not None and step.denominator == 1


Bound = tuple[Fraction, bool]  # (value, exclusive)


def _lower(node: Node, integer: bool) -> Bound | None:
    found: Bound | None = None
    if "minimum" in node.kw:
        found = (node.kw["minimum"], False)
    if "exclusiveMinimum" in node.kw:
        value = node.kw["exclusiveMinimum"]
        if found is None or value >= found[0]:
            found = (value, True)
    if found is not None and integer:
        value, exclusive = found
        return (Fraction(math.floor(value) + 1 if exclusive else math.ceil(value)), False)
    return found


def _upper(node: Node, integer: bool) -> Bound | None:
    found: Bound | None = None
    if "maximum" in node.kw:
        found = (node.kw["maximum"], False)
    if "exclusiveMaximum" in node.kw:
        value = node.kw["exclusiveMaximum"]
        if found is None or value <= found[0]:
            found = (value, True)
    if found is not None and integer:
        value, exclusive = found
        return (Fraction(math.ceil(value) - 1 if exclusive else math.floor(value)), False)
    return found


def _below(low: Bound, other: Bound) -> bool:
    """Does the lower bound `low` admit values below the lower bound `other`?"""
    if low[0] != other[0]:
        return low[0] < other[0]
    return other[1] and not low[1]


def _above(high: Bound, other: Bound) -> bool:
    """Does the upper bound `high` admit values above the upper bound `other`?"""
    if high[0] != other[0]:
        return high[0] > other[0]
    return other[1] and not high[1]


def _string_shapes(a: Node, b: Node) -> Answer:
    """Lengths and `pattern` together: a pattern bounds lengths (`.+` has a character) and lengths
    narrow a pattern (`^(ab)*$` within five characters is `^(ab){0,2}$`), so they are decided on
    one automaton (`patterns.strings_within`). A NO needs a string of `a` that escapes, so `a`'s
    `format` (which may keep that string out) turns it into UNKNOWN."""
    low_a, high_a = a.kw.get("minLength"), a.kw.get("maxLength")
    low_b, high_b = b.kw.get("minLength"), b.kw.get("maxLength")
    if "pattern" not in a.kw and "pattern" not in b.kw:
        held: bool | None = _within(low_a, high_a, low_b, high_b)
    else:
        from cwscodegen.engine.patterns import strings_within

        held = strings_within(_strings_of(a), _strings_of(b))
    return YES if held else NO if held is False and "format" not in a.kw else UNKNOWN


def _strings_of(node: Node) -> tuple[str | None, int, int | None]:
    """`node`'s string keywords as `patterns.strings_within` reads them."""
    low, high = node.kw.get("minLength"), node.kw.get("maxLength")
    return node.kw.get("pattern"), int(low or 0), None if high is None else int(high)


def _within(low_a: int | None, high_a: int | None, low_b: int | None, high_b: int | None) -> bool:
    """Is the count interval of `a` inside that of `b`?"""
    if low_b is not None and (low_a or 0) < low_b:
        return False
    return high_b is None or (high_a is not None and high_a <= high_b)


def _max_properties(node: Node) -> int | None:
    if "maxProperties" in node.kw:
        return int(node.kw["maxProperties"])
    if not node.patterns and node.additional is not None and deref(node.additional).false:
        return len(node.props)
    return None


def raw_step(node: Node) -> Any:
    """The `multipleOf` value as written (int or float), or None where there is none."""
    step = node.kw.get("multipleOf")
    if step is None:
        return None
    return float(step) if node.kw.get(FLOAT_STEP) else int(step) if step.denominator == 1 else float(step)


def step_within(a: Node, b: Node) -> Answer:
    """Is every number `a`'s `multipleOf` accepts accepted by `b`'s?

    Validators check a float step by float division (`jsonschema`: `instance / step` must be
    integral), so a float step accepts values that are no exact multiple of it (512.2 passes
    `multipleOf: 0.01`, fails `multipleOf: 0.001`, and 2**60 passes `3.0`). An integer step is
    checked exactly (`%`), and an exact multiple passes a float step only below 2**53 (2**53 + 1 is
    a multiple of 3 that fails `3.0`). So YES needs integer steps (`b`'s dividing `a`'s; a float
    `b` only if it is a power of two or `a`'s values stay below 2**53), or float steps a power of
    two apart (or equal)."""
    step_a, step_b = a.kw.get("multipleOf"), b.kw.get("multipleOf")
    if step_b is None:
        return YES
    if step_a is None or (step_a / step_b).denominator != 1:
        return NO
    written_a, written_b = raw_step(a), raw_step(b)
    small = _bounded_by(a, _EXACT_FLOATS)  # ints there convert to floats exactly
    exact = isinstance(written_a, int) and (isinstance(written_b, int) or small or _power_of_two(step_b))
    ratio = step_a / step_b
    # float steps whose ratio is 2**k: x / b = 2**k * (x / a) exactly, and scaling by 2 commutes
    # with rounding, so an integral float quotient for `a` gives one for `b`.
    scaled = (
        isinstance(written_a, float) and isinstance(written_b, float) and ratio.numerator & (ratio.numerator - 1) == 0
    )
    return YES if exact or scaled else UNKNOWN


_EXACT_FLOATS = 2**53


def _power_of_two(step: Fraction) -> bool:
    """2**k: dividing by it is exact, and a float near an exact multiple of it is one."""
    return all(n & (n - 1) == 0 for n in (step.numerator, step.denominator))


def _bounded_by(node: Node, limit: int) -> bool:
    low, high = _lower(node, False), _upper(node, False)
    return low is not None and high is not None and -limit < low[0] and high[0] < limit


def _integers(node: Node, integer: bool) -> list[int] | None:
    """The values of a bounded range of integers (`integer`, or an integer `multipleOf`), when few.

    Only integer steps are listed: validators test a fractional `multipleOf` in floating point,
    so exact multiples of it are not what they accept."""
    step = node.kw.get("multipleOf")
    if step is not None and step.denominator != 1:
        step = None
    if step is None and not integer:
        return None
    step = int(step) if step is not None else 1
    low, high = _lower(node, True), _upper(node, True)
    if low is None or high is None or (high[0] - low[0]) / step > _SMALL_RANGE:
        return None
    if max(abs(low[0]), abs(high[0])) > _EXACT_FLOATS:
        return None  # beyond 2**53 a float step accepts non-multiples: see `step_within`
    first = math.ceil(low[0] / step) * step
    return list(range(first, int(high[0]) + 1, step))


def _enumerate(node: Node) -> list[Any] | None:
    """All values of `node`'s own type cases when there are few (None when infinite)."""
    values: list[Any] = []
    for kind in _kinds(types_of(node)):
        if kind == "null":
            values.append(None)
        elif kind == "boolean":
            values += [False, True]
        elif kind in INTEGERS or kind == "number":
            found = _integers(node, kind != "number")
            if found is None:
                return None
            values += with_twins(found)
        elif kind == "string" and node.kw.get("maxLength") == 0:
            values.append("")
        else:
            return None
    return values


lower_bound, upper_bound = _lower, _upper

_CHECKS = {
    "integer": Inclusion._numbers,
    STRICT_INTEGER: Inclusion._numbers,
    "number": Inclusion._numbers,
    "string": Inclusion._strings,
    "array": Inclusion._arrays,
    "object": Inclusion._objects,
}
