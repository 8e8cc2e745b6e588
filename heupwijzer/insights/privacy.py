"""How a number may be shown to the practice: never a count below 5 (a single patient could be
recognised), and no share or total from which such a count could be worked back."""

from __future__ import annotations

from typing import Dict, List

SMALLEST_SHOWN = 5
SMALL = "< 5"


def count(n: int) -> str:
    return str(n) if n >= SMALLEST_SHOWN else SMALL


def plotted(n: int) -> int:
    """A chart's bar: a hidden count is drawn as 0 (its table cell says '< 5')."""
    return n if n >= SMALLEST_SHOWN else 0


def share(part: int, whole: int) -> str:
    """A percentage only when both the part and the rest are at least 5 (else '< 5' could be
    recovered from the percentage and the whole)."""
    if part < SMALLEST_SHOWN or whole - part < SMALLEST_SHOWN:
        return "–"
    return f"{round(100 * part / whole)}%"


def row_with_total(cells: Dict[str, int]) -> List[str]:
    """The cells and their total. When a hidden cell holds someone (1 to 4), the total shows only
    what is certain ('≥ N', N the sum of the cells that are shown), so it can't be subtracted out."""
    shown = [count(n) for n in cells.values()]
    certain = sum(n for n in cells.values() if n >= SMALLEST_SHOWN)
    if not any(0 < n < SMALLEST_SHOWN for n in cells.values()):
        return [*shown, count(certain)]
    return [*shown, f"≥ {certain}" if certain >= SMALLEST_SHOWN else SMALL]


def total(cells: Dict[str, int]) -> str:
    """A total of cells that are shown elsewhere with this module's rules."""
    return row_with_total(cells)[-1]


def nested(part: int, whole: int) -> str:
    """A count inside another that is shown (Beweegnorm met, of all who did the Beweegcheck): hidden
    ('–') when the rest is 1 to 4, which would follow by subtraction."""
    if part < SMALLEST_SHOWN:
        return SMALL
    return "–" if 0 < whole - part < SMALLEST_SHOWN else str(part)


def trend(now: int, before: int) -> str:
    if now < SMALLEST_SHOWN or before < SMALLEST_SHOWN:
        return "–"
    change = round(100 * (now - before) / before)
    return "gelijk" if change == 0 else f"{'↑' if change > 0 else '↓'} {abs(change)}%"
