"""What a generation run hands back: the plan anchor, counts, files written and defects.

The summary is the manifest of the sample. It is returned, not written into the landing zone,
because a manifest file there would itself be an extract that the ingestion has to classify.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WrittenFile:
    """One file of the landing zone; ``entity`` is the extract kind it was written as."""

    path: str
    sha256: str
    size: int
    entity: str | None


@dataclass(frozen=True)
class Defect:
    """A deliberate fault in the broken sample, located the way a reject record would be.

    ``row`` is the 1-based physical line of the file (header line included); for an order
    line inside an e-mail it is the line of the attachment named in ``attachment``; it is
    ``None`` when the whole file is the defect.
    """

    code: str
    file: str
    row: int | None
    column: str | None
    value: str
    description: str
    attachment: str | None = None


@dataclass(frozen=True)
class LoadFigures:
    """Open-order hours against line capacity over the planning horizon.

    ``order_hours_mean_rate`` prices every order at the mean rate of its eligible lines, so it
    does not depend on any schedule. ``reference_*`` describe the feasible schedule the
    release and due dates were derived from.
    """

    capacity_hours: float
    order_hours_mean_rate: float
    order_hours_fastest_rate: float
    reference_order_hours: float
    reference_changeover_hours: float
    tight_orders: int

    @property
    def load_ratio(self) -> float:
        return self.order_hours_mean_rate / self.capacity_hours


@dataclass(frozen=True)
class GenerationSummary:
    """Result of ``generate_landing_zone``.

    ``plan_start`` is midnight in Europe/Berlin (the plant's time zone) on the Monday the
    plan starts; every date in the files is a whole day counted from it.
    """

    seed: int
    plan_start: dt.datetime
    horizon_days: int
    counts: dict[str, int]
    load: LoadFigures
    files: tuple[WrittenFile, ...]
    defects: tuple[Defect, ...] = field(default_factory=tuple)

    @property
    def total_bytes(self) -> int:
        return sum(written.size for written in self.files)
