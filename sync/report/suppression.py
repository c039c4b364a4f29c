"""Disclosure control: which counts a published table shows as ``c``.

A table is a set of cells, each a count of rows, tied together by
additive relations, in which the parts sum to the total. For example, the
meetings held and not attended sum to the meetings offered, and the
counts of the schools sum to the count for all schools. Some cells are hidden:
they are never printed, but a reader can work them out from a relation
(the meetings where the pupil's views were not captured are the meetings
held minus those where they were).

The rules, applied in this order:

1. Primary suppression. A published count from 1 to 5 is shown as ``c``.
   Zero is shown as 0, as in government statistics: an empty category is
   not about any pupil.
2. Protected cells are the primary cells and every hidden cell from 1 to 5.
3. Secondary suppression, relation by relation. A reader knows the sum of
   the unknown cells of a relation (suppressed or hidden), because it is
   the total minus the shown cells. So when exactly one cell of a
   relation is unknown and it is suppressed or protected, the smallest
   other non-zero cell of that relation is suppressed too. A part is
   preferred to the total when they are equal; a zero is chosen only if
   no other cell is left. This repeats until no relation has a lone
   unknown cell that needs protecting, because each new suppression can
   leave another relation with a single unknown.
4. Parts of a whole. Some counts are of rows that all lie within another
   count's rows: meetings held lie within meetings offered, and views
   captured within meetings held. Such a count is suppressed whenever
   the count that contains it is, unless it is zero, because a shown
   part tells the reader that the hidden whole is at least that large,
   and such a bound can pin a small count down together with the sums.
   This rule is applied before every choice that step 3 makes.
5. Exact check. Relations can combine: two relations that each keep two
   cells unknown can together pin a value down. The shown cells and the
   relations form a system of linear equations in the unknown cells, and
   a protected cell is disclosed exactly when its unit vector lies in the
   row space of that system. Rational Gaussian elimination decides this
   with no rounding. For each disclosed cell, the smallest shown non-zero
   cell of a relation that contains it (or, failing that, of a relation
   reached through other unknown cells) is suppressed, then steps 3 to 5
   run again.

Suppression only ever adds cells, so the loop ends: with every published
cell suppressed, the system has no known values and its only determined
solution is zero, which no protected cell has.

NOTE: the check proves that no protected count can be worked out as one
exact value from the sums. Step 4 removes the bounds that shown parts
put on hidden wholes, but the check does not bound how narrow a range of
values a reader could infer from other inequalities, for example from
the fact that a count is never negative.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

SMALLEST_SUPPRESSED = 1
LARGEST_SUPPRESSED = 5


def needs_suppression(count: int) -> bool:
    """Return whether a count is small enough (1 to 5) to be shown as ``c``."""
    return SMALLEST_SUPPRESSED <= count <= LARGEST_SUPPRESSED


@dataclass(frozen=True)
class Relation(Generic[K]):
    """An additive relation between cells: the ``parts`` sum to the ``total``."""

    total: K
    parts: tuple[K, ...]

    @property
    def cells(self) -> tuple[K, ...]:
        """Return the parts, then the total: the order in which ties are broken."""
        return (*self.parts, self.total)


@dataclass(frozen=True)
class Suppression(Generic[K]):
    """The published cells to show as ``c``, by the reason each was chosen.

    Only the union is ever published: telling readers which cells are
    primary would tell them those hold 1 to 5.
    """

    primary: frozenset[K]
    secondary: frozenset[K]

    @property
    def suppressed(self) -> frozenset[K]:
        return self.primary | self.secondary

    def shows(self, key: K) -> bool:
        return key not in self.primary and key not in self.secondary


def suppress(values: Mapping[K, int], relations: Sequence[Relation[K]], *,
             hidden: Collection[K] = (), within: Mapping[K, K] | None = None) -> Suppression[K]:
    """Choose the cells to show as ``c`` so that no count from 1 to 5 can be read or worked out.

    ``values`` contains every cell, published or ``hidden``. ``within``
    maps a cell to the cell whose rows contain all of its rows, or whose
    rows it is built on. The cell is suppressed whenever that one is. Raises
    ``ValueError`` if a relation names an unknown cell, has no parts, or
    does not add up, since figures that break their own sums are a bug.
    """
    within = dict(within or {})
    _check(values, relations, hidden, within)
    order = {key: position for position, key in enumerate(values)}
    hidden_cells = frozenset(hidden)
    published = [key for key in values if key not in hidden_cells]

    primary = frozenset(key for key in published if needs_suppression(values[key]))
    protected = primary | frozenset(key for key in hidden_cells if needs_suppression(values[key]))
    suppressed = set(primary)

    while True:
        # Parts follow their wholes before each secondary choice, so that the
        # choice takes account of every cell the parts rule withholds.
        _apply_within_rule(within, values, hidden_cells, suppressed)
        while _suppress_one_for_relations(values, relations, hidden_cells, protected, suppressed):
            _apply_within_rule(within, values, hidden_cells, suppressed)
        disclosed = _first_disclosed(values, relations, hidden_cells, protected, suppressed, order)
        if disclosed is None:
            break
        suppressed.add(_cover_for(disclosed, values, relations, hidden_cells, suppressed))

    return Suppression(primary=primary, secondary=frozenset(suppressed - primary))


def _check(values: Mapping[K, int], relations: Sequence[Relation[K]], hidden: Collection[K],
           within: Mapping[K, K]) -> None:
    for part, whole in within.items():
        if part not in values or whole not in values:
            raise ValueError(f"{part!r} lies within {whole!r}, but one of them has no value.")
    for key in hidden:
        if key not in values:
            raise ValueError(f"Hidden cell {key!r} has no value.")
    for relation in relations:
        if not relation.parts:
            raise ValueError(f"The relation with total {relation.total!r} has no parts.")
        missing = [key for key in relation.cells if key not in values]
        if missing:
            raise ValueError(f"The relation with total {relation.total!r} names cells without a value: {missing!r}.")
        parts_sum = sum(values[key] for key in relation.parts)
        if parts_sum != values[relation.total]:
            raise ValueError(f"The parts of {relation.total!r} sum to {parts_sum}, not to its value "
                             f"{values[relation.total]}.")


def _apply_within_rule(within: Mapping[K, K], values: Mapping[K, int], hidden: frozenset[K],
                       suppressed: set[K]) -> None:
    """Suppress every shown non-zero cell that lies within a suppressed cell.

    A zero part is left shown, because a whole of at least 0 reveals nothing.
    """
    changed = True
    while changed:
        changed = False
        for part, whole in within.items():
            if whole in suppressed and part not in suppressed and part not in hidden and values[part] > 0:
                suppressed.add(part)
                changed = True


def _suppress_one_for_relations(values: Mapping[K, int], relations: Sequence[Relation[K]], hidden: frozenset[K],
                                protected: frozenset[K], suppressed: set[K]) -> bool:
    """Suppress one cell for the first relation with a lone unknown cell that needs protecting.

    Returns False when no relation has one, that is when the rule is met everywhere.
    """
    for relation in relations:
        unknown = [key for key in relation.cells if key in suppressed or key in hidden]
        # A lone hidden cell outside 1 to 5 may be worked out, because it reveals nothing about a small group.
        if len(unknown) != 1 or (unknown[0] in hidden and unknown[0] not in protected):
            continue
        shown = [key for key in relation.cells if key not in suppressed and key not in hidden]
        suppressed.add(_smallest(shown, values))
        return True
    return False


def _smallest(candidates: Sequence[K], values: Mapping[K, int]) -> K:
    """Return the candidate with the smallest non-zero value, earliest on ties; a zero only if all are zero."""
    non_zero = [key for key in candidates if values[key] > 0]
    pool = non_zero or list(candidates)
    return min(pool, key=lambda key: (values[key], candidates.index(key)))


def _first_disclosed(values: Mapping[K, int], relations: Sequence[Relation[K]], hidden: frozenset[K],
                     protected: frozenset[K], suppressed: set[K], order: Mapping[K, int]) -> K | None:
    """Return the first protected cell whose value follows exactly from the shown cells, or None."""
    unknown = suppressed | hidden
    equations: list[dict[K, Fraction]] = []
    for relation in relations:
        # Parts minus total is zero; shown cells only move the constant, which does not
        # matter to whether an unknown is determined.
        equation = {key: Fraction(1) for key in relation.parts if key in unknown}
        if relation.total in unknown:
            equation[relation.total] = Fraction(-1)
        if equation:
            equations.append(equation)

    basis: _Basis[K] = _Basis(order)
    for equation in equations:
        basis.add(equation)
    for key in sorted(protected, key=order.__getitem__):
        if not basis.reduce({key: Fraction(1)}):
            return key
    return None


class _Basis(Generic[K]):
    """A row space in reduced row echelon form, kept sparse.

    Each row is stored under its pivot, scaled so the pivot is 1, and no
    row contains another row's pivot. Reducing a vector therefore needs
    one subtraction per pivot it contains. A vector lies in the row space
    exactly when it reduces to nothing.
    """

    def __init__(self, order: Mapping[K, int]) -> None:
        self.order = order
        self.rows: dict[K, dict[K, Fraction]] = {}
        # For each variable that is not a pivot, the pivots of the rows that contain it.
        self.containing: dict[K, set[K]] = {}

    def reduce(self, vector: dict[K, Fraction]) -> dict[K, Fraction]:
        """Subtract the rows of the pivots in ``vector`` and return what is left."""
        for pivot in [key for key in vector if key in self.rows]:
            factor = vector.get(pivot)
            if factor:
                _subtract(vector, factor, self.rows[pivot])
        return vector

    def add(self, equation: dict[K, Fraction]) -> None:
        """Add an equation's row to the space, keeping every row free of the other pivots."""
        row = self.reduce(dict(equation))
        if not row:
            return
        pivot = min(row, key=self.order.__getitem__)
        scale = row[pivot]
        row = {key: value / scale for key, value in row.items()}

        for other in self.containing.pop(pivot, set()):
            other_row = self.rows[other]
            factor = other_row[pivot]
            before = set(other_row)
            _subtract(other_row, factor, row)
            for key in before - set(other_row):
                self.containing.get(key, set()).discard(other)
            for key in set(other_row) - before:
                self.containing.setdefault(key, set()).add(other)

        self.rows[pivot] = row
        for key in row:
            if key != pivot:
                self.containing.setdefault(key, set()).add(pivot)


def _subtract(vector: dict[K, Fraction], factor: Fraction, row: Mapping[K, Fraction]) -> None:
    """Set ``vector`` to ``vector - factor * row`` in place, dropping zero entries."""
    for key, value in row.items():
        updated = vector.get(key, Fraction(0)) - factor * value
        if updated:
            vector[key] = updated
        else:
            vector.pop(key, None)


def _cover_for(disclosed: K, values: Mapping[K, int], relations: Sequence[Relation[K]], hidden: frozenset[K],
               suppressed: set[K]) -> K:
    """Return a shown cell to suppress so that ``disclosed`` may no longer follow from the rest.

    The search starts with the relations that contain ``disclosed`` and
    widens to relations linked to them through other unknown cells.
    """
    reached = {disclosed}
    visited: set[int] = set()
    while True:
        frontier = [index for index, relation in enumerate(relations)
                    if index not in visited and reached.intersection(relation.cells)]
        if not frontier:
            raise AssertionError(f"No shown cell is left to protect {disclosed!r}; this is a bug in the caller's "
                                 "relations, because a system of unknowns alone cannot pin a non-zero count.")
        visited.update(frontier)
        shown: list[K] = []
        for index in frontier:
            for key in relations[index].cells:
                if key in suppressed or key in hidden:
                    reached.add(key)
                elif key not in shown:
                    shown.append(key)
        if shown:
            return _smallest(shown, values)
