"""Inclusion between many snapshots, with the engine run only on pairs nothing else settles.

The matrix needs, for every ordered pair (A, B) of distinct documents, whether every JSON document
A accepts is accepted by B (A ⊆ B). Two facts settle many pairs without the engine:

- inclusion is transitive: A ⊆ V and V ⊆ B give A ⊆ B. Only proven inclusions (the engine's YES,
  or ones derived that way) are chained, so a derived "compatible" rests on a chain of YES;
- a witness event W that the real validator finds accepted by X and rejected by Y proves X ⊄ Y,
  for every such X and Y. Witnesses come from the pairs of neighbouring versions the engine calls
  breaking: the engine's fast path calls a direction breaking only with a verified witness and
  hands it over (`compare.judge`), so no search is needed; a verdict function that gives no
  witness gets a bounded search of its own. A break usually lasts (the versions before it accept
  W, those after reject it), so W is validated outward from the break, on each side up to the
  first version that answers the other way, and refutes every pair across the two runs; each of
  those answers is the validator's, never assumed. Before the engine runs on any other pair, the
  last few witnesses the accepting document is known to accept are tried on the rejecting one:
  the same break usually separates many pairs that are not neighbours.

"Undecided" is never derived and never used as a link: it stays the engine's. A document that
declares no draft is judged by the engine under every plausible reading, while a chain or a
witness would hold under one reading only; so such documents take part in no derivation (every
pair with one goes to the engine, and no chain passes through one). When the engine runs
on a pair, its answer is the one kept, so the result matches judging every pair, except that a
verified witness outranks any engine answer short of its own "breaking": an engine YES (which
would be an engine bug, and is kept visible) and an "undecided" where the engine's own search
for that pair found no witness but one from a neighbouring break applies.

Every "breaking" verdict therefore has a checked event behind it: its proof is WITNESS (the event
the engine found for this pair, or one carried over from a neighbour), never ENGINE.

Cost: one engine call per pair of neighbours, at most one witness search per breaking neighbour
direction, one validation per document in a witness's runs, and for every other pair an AND of two
bit sets and at most `REUSE_TRIES` validations per open direction before any engine call. All of it is bounded by the number of pairs.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import islice
from typing import TYPE_CHECKING, Any

from cwscodegen.engine.changes import Effect, Witness
from cwscodegen.store.snapshots import Snapshot

if TYPE_CHECKING:
    from cwscodegen.engine.compare import PairVerdicts

# (BACKWARD, FORWARD), or the engine's `compare.PairVerdicts` that also carries the witnesses.
Verdicts = Callable[[Snapshot, Snapshot], "tuple[Effect, Effect] | PairVerdicts"]
# `accepts(snapshot)(event)`: the real validator's answer for the snapshot's own draft.
Accepts = Callable[[Snapshot], Callable[[Any], bool]]
# `search(accept, reject)`: an event the first accepts and the second rejects, or None.
Search = Callable[[Snapshot, Snapshot], Any]


class Kind(str, Enum):
    """How a verdict was obtained; each is as strong as running the engine on the pair."""

    ENGINE = "engine"  # the engine judged this pair (never "breaking" from the engine's fast path)
    SAME = "same"  # the two documents are the same JSON value
    CHAIN = "chain"  # A ⊆ via and via ⊆ B, both proven (see those pairs' own proofs)
    WITNESS = "witness"  # `witness` is accepted by A and rejected by B (checked by the validator)


@dataclass(frozen=True)
class Proof:
    """Why a direction holds or breaks. `found_for` names the pair the witness was searched for;
    `reading` the draft reading of undeclared documents it was verified under ("" if declared)."""

    kind: Kind
    via: str | None = None
    witness: Any = None
    found_for: tuple[str, str] | None = None
    reading: str = ""

    def as_json(self, witness_number: int | None = None) -> dict[str, Any]:
        """The proof for JSON output; a witness is given by its number in a list kept elsewhere,
        since one witness refutes many pairs and repeating the event would multiply the output."""
        body: dict[str, Any] = {"kind": self.kind.value}
        if self.via is not None:
            body["via"] = self.via
        if self.kind is Kind.WITNESS:
            body["witness"] = witness_number
        return body


ENGINE = Proof(Kind.ENGINE)
SAME = Proof(Kind.SAME)
Judgement = tuple[Effect, Proof]


def engine_proof(witness: Witness | None, found_for: tuple[str, str], reading: str = "") -> Proof:
    """The proof of an engine verdict: its verified witness when it gave one, else ENGINE."""
    if witness is None:
        return ENGINE
    return Proof(Kind.WITNESS, witness=witness.event, found_for=found_for, reading=reading)


def judged(result: tuple[Effect, Effect] | PairVerdicts) -> PairVerdicts:
    """A verdict function's answer as `PairVerdicts` (a bare pair of effects carries no witness)."""
    from cwscodegen.engine.compare import PairVerdicts

    return result if isinstance(result, PairVerdicts) else PairVerdicts(*result)


def real_accepts(snapshot: Snapshot) -> Callable[[Any], bool]:
    """The `jsonschema` validator of the snapshot's draft (formats asserted), as the engine uses it."""
    from cwscodegen.engine.normalize import prepare

    is_valid: Callable[[Any], bool] = prepare(snapshot.document, str(snapshot.path)).validator.is_valid
    return is_valid


SEARCH_BUDGET = 16  # candidate events per witness search: half the breaks of the history show in the first 16
SEARCH_WORTH = 64  # a search costs about as much as this many engine calls: skip it when it cannot pay
REUSE_TRIES = 4  # witnesses a document is known to accept, tried on an open direction before the engine


def candidate_search(accepts: Accepts) -> Search:
    """A bounded search over the engine's boundary-probing root events (`witnesses.candidates`),
    each judged by `accepts`; a miss only means the pair goes to the engine. A document's
    candidates are made once (a neighbour is searched from both sides)."""
    made: dict[str, list[tuple[Any, bool]]] = {}

    def accepted_candidates(snapshot: Snapshot) -> list[tuple[Any, bool]]:
        from cwscodegen.engine.normalize import prepare
        from cwscodegen.engine.witnesses import candidates

        if snapshot.name not in made:
            root = prepare(snapshot.document, str(snapshot.path)).root
            is_valid = accepts(snapshot)
            made[snapshot.name] = [(event, is_valid(event)) for event in islice(candidates(root), SEARCH_BUDGET)]
        return made[snapshot.name]

    def search(accept: Snapshot, reject: Snapshot) -> Any:
        is_valid = accepts(reject)
        for event, ok in accepted_candidates(accept):
            if ok and not is_valid(event):
                return copy.deepcopy(event)
        return None

    return search


def identical(a: Snapshot, b: Snapshot) -> bool:
    """Whether the engine would call the pair "no change at all" (Effect.NONE both ways)."""
    from cwscodegen.engine.compare import identical_prepared
    from cwscodegen.engine.normalize import prepare

    return identical_prepared(prepare(a.document, str(a.path)), prepare(b.document, str(b.path)))


class Relation:
    """Proven inclusion (and non-inclusion) between distinct documents `docs[0..n-1]`."""

    def __init__(self, docs: Sequence[Snapshot], verdicts: Verdicts, accepts: Accepts, search: Search) -> None:
        self.docs = docs
        self.verdicts = verdicts
        self.accepts = accepts
        self.search = search
        self.known: dict[tuple[int, int], Judgement] = {}
        self.known_out = [0] * len(docs)  # bit b of known_out[a]: (a, b) is in `known`
        self.yes_out = [0] * len(docs)  # bit b of yes_out[a]: a ⊆ b is proven
        self.yes_in = [0] * len(docs)  # bit a of yes_in[b]: the same fact, indexed by b
        self.engine_calls = 0
        self.accepted_witnesses: list[list[Proof]] = [[] for _ in docs]  # newest last
        self.derivable = sum(1 << i for i, doc in enumerate(docs) if _one_reading(doc) and _patterns_run(doc))

    def run(self) -> dict[tuple[int, int], Judgement]:
        """Every ordered pair of distinct documents: neighbours, their witnesses, then the rest."""
        count = len(self.docs)
        for a in range(count - 1):
            self._engine(a, a + 1)
        for a in range(count - 1):
            for accept, reject in ((a, a + 1), (a + 1, a)):
                if self.known[(accept, reject)][0] is Effect.BREAKING:
                    self._refute_with_witness(accept, reject)
        for b in range(count):
            for a in range(b - 1, -1, -1):
                self._pair(a, b)
        return self.known

    def _pair(self, a: int, b: int) -> None:
        for sub, sup in ((a, b), (b, a)):
            if (sub, sup) not in self.known:
                self._chain(sub, sup)
        for sub, sup in ((a, b), (b, a)):
            if (sub, sup) not in self.known:
                self._reuse(sub, sup)
        if (a, b) not in self.known or (b, a) not in self.known:
            self._engine(a, b)

    def _chain(self, sub: int, sup: int) -> None:
        if not (self.derivable >> sub) & (self.derivable >> sup) & 1:
            return
        links = self.yes_out[sub] & self.yes_in[sup] & self.derivable
        if links:
            via = (links & -links).bit_length() - 1
            effect = Effect.NONE if identical(self.docs[sub], self.docs[sup]) else Effect.COMPATIBLE
            self._record(sub, sup, (effect, Proof(Kind.CHAIN, via=self.docs[via].name)))

    def _reuse(self, accept: int, reject: int) -> None:
        """Settle `accept ⊄ reject` with a witness `accept` is already known to accept, if the
        validator of `reject` rejects it: one validation instead of an engine call and its witness
        search. The same break usually shows between many pairs that are not neighbours."""
        if not (self.derivable >> accept) & (self.derivable >> reject) & 1:
            return
        is_valid = self.accepts(self.docs[reject])
        for proof in islice(reversed(self.accepted_witnesses[accept]), REUSE_TRIES):
            if not is_valid(proof.witness):
                self._record(accept, reject, (Effect.BREAKING, proof))
                return

    def _engine(self, a: int, b: int) -> None:
        self.engine_calls += 1
        found = judged(self.verdicts(self.docs[a], self.docs[b]))
        names = (self.docs[a].name, self.docs[b].name)
        for sub, sup, effect, witness, reading in (
            (a, b, found.backward, found.witnesses[0], found.readings[0]),
            (b, a, found.forward, found.witnesses[1], found.readings[1]),
        ):
            earlier = self.known.get((sub, sup))
            if earlier is not None and earlier[1].kind is Kind.WITNESS and effect is not Effect.BREAKING:
                continue  # a checked event outranks an engine YES or undecided; see the module docstring
            found_for = names if sub == a else names[::-1]
            proof = engine_proof(witness, found_for, reading) if effect is Effect.BREAKING else ENGINE
            self._record(sub, sup, (effect, proof))

    def _record(self, sub: int, sup: int, judgement: Judgement) -> None:
        self.known[(sub, sup)] = judgement
        if judgement[1].kind is Kind.WITNESS:
            self._remember(sub, judgement[1])
        self.known_out[sub] |= 1 << sup
        if not judgement[0].breaks:
            self.yes_out[sub] |= 1 << sup
            self.yes_in[sup] |= 1 << sub

    def _remember(self, accepting: int, proof: Proof) -> None:
        """Note that document `accepting` accepts the witness of `proof` (for `_reuse`)."""
        known = self.accepted_witnesses[accepting]
        if not proof.reading and (not known or known[-1] is not proof):
            known.append(proof)

    def _open_across(self, accept: int, reject: int) -> int:
        """How many pairs from accept's side of the neighbour break to reject's are still open."""
        low, high = sorted((accept, reject))
        count = len(self.docs)
        before, after = range(low + 1), range(high, count)
        sources, targets = (before, after) if accept < reject else (after, before)
        mask = sum(1 << y for y in targets)
        return sum((mask & ~self.known_out[x]).bit_count() for x in sources)

    def _refute_with_witness(self, accept: int, reject: int) -> None:
        if not (self.derivable >> accept) & (self.derivable >> reject) & 1:
            return
        given = self.known[(accept, reject)][1]
        if given.kind is Kind.WITNESS:  # the engine's own, already verified: only the runs cost
            event = given.witness
        elif self._open_across(accept, reject) < SEARCH_WORTH:
            return
        else:
            event = self.search(self.docs[accept], self.docs[reject])
        if event is None:
            return
        accepting = self._run_of(event, accept, reject - accept, True)
        rejecting = self._run_of(event, reject, reject - accept, False)
        if not accepting or not rejecting:
            return  # the search's own check disagrees with the validator: use nothing
        found_for = (self.docs[accept].name, self.docs[reject].name)
        proof = given if given.kind is Kind.WITNESS else Proof(Kind.WITNESS, witness=event, found_for=found_for)
        rejecting_mask = sum(1 << y for y in rejecting)
        for x in accepting:
            self._remember(x, proof)
            for y in _bits(rejecting_mask & ~self.known_out[x]):
                self._record(x, y, (Effect.BREAKING, proof))

    def _run_of(self, event: Any, start: int, step: int, accepted: bool) -> list[int]:
        """The documents from `start` away from the break (against `step` on the accepting side,
        along it on the rejecting side) whose validator gives `accepted`, up to the first that does
        not. A break usually lasts, so the run is where the witness refutes; validating only the
        run keeps the cost proportional to what it settles."""
        direction = -step if accepted else step
        run: list[int] = []
        index = start
        while (
            0 <= index < len(self.docs)
            and (self.derivable >> index) & 1
            and bool(self.accepts(self.docs[index])(event)) == accepted
        ):
            run.append(index)
            index += direction
        return run


def _one_reading(snapshot: Snapshot) -> bool:
    """Whether the engine reads the document one way only: it declares its draft, or it is a
    boolean schema (the same under every draft)."""
    from cwscodegen.store.refs import declared_draft

    document = snapshot.document
    return not isinstance(document, Mapping) or declared_draft(document) is not None


def _patterns_run(snapshot: Snapshot) -> bool:
    """Whether the validator can run every pattern of the document (no lookaround, no
    backreference): a witness is only as good as the validator that checks it."""
    from cwscodegen.store import ecma

    return all(ecma.runnable(pattern) for _, pattern in ecma.pattern_places(snapshot.document))


def _bits(mask: int) -> Iterator[int]:
    """The positions of the set bits, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def settle(
    docs: Sequence[Snapshot],
    verdicts: Verdicts,
    accepts: Accepts | None = None,
    search: Search | None = None,
) -> tuple[dict[tuple[int, int], Judgement], int]:
    """Judgements for every ordered pair of the distinct `docs` (in version order), and how many
    engine calls that took."""
    accepts = accepts or _once_each(real_accepts)
    relation = Relation(docs, verdicts, accepts, search or candidate_search(accepts))
    return relation.run(), relation.engine_calls


def _once_each(make: Accepts) -> Accepts:
    """One validator per snapshot for the whole run (each is reused for every witness)."""
    made: dict[int, tuple[Snapshot, Callable[[Any], bool]]] = {}

    def get(snapshot: Snapshot) -> Callable[[Any], bool]:
        hit = made.get(id(snapshot))
        if hit is None or hit[0] is not snapshot:
            hit = made[id(snapshot)] = (snapshot, make(snapshot))
        return hit[1]

    return get
