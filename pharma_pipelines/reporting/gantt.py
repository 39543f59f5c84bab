"""The schedule as a Gantt chart: a PNG picture for the UI and a text chart for terminals.

The picture is drawn with matplotlib's Agg canvas on a figure of its own, never through
``pyplot``: pyplot keeps global state and may pick an interactive backend, and an asset
runs in a worker with no display, possibly beside other threads.

:func:`draw_gantt` returns the PNG together with the bars it drew, so a test can check what
is on the chart without reading pixels.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from pharma_pipelines.reporting.kpis import merged_downtimes
from pharma_pipelines.scheduling import Schedule, ScheduledOrder, SchedulingProblem

DPI = 100
WIDTH_INCHES = 14.0
ROW_INCHES = 0.6
FRAME_INCHES = 1.4
"""Room for title, time axis and legend around the rows."""

BAR_HEIGHT = 0.62
LABEL_POINTS = 7
FAMILY_COLOURS = (
    "#4e79a7",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#76b7b2",
    "#ff9da7",
    "#9c755f",
    "#f28e2b",
)
CHANGEOVER_COLOUR = "#d9d9d9"
DOWNTIME_COLOUR = "#555555"
UNAVAILABLE_COLOUR = "#eeeeee"
LATE_COLOUR = "#d62728"

TEXT_WIDTH = 96
TEXT_SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class BarKind(StrEnum):
    PROCESSING = "processing"
    CHANGEOVER = "changeover"
    DOWNTIME = "downtime"
    UNAVAILABLE = "outside the line's window"


@dataclass(frozen=True)
class GanttBar:
    """One drawn block, in minutes from the plan start.

    ``label`` is the text written on the bar, ``None`` when it did not fit. ``late`` marks a
    processing bar that ends after its due time, ``missed_deadline`` one that ends after its
    hard deadline (only a least-bad plan has those).
    """

    kind: BarKind
    line: str
    start: int
    end: int
    order: str | None = None
    label: str | None = None
    late: bool = False
    missed_deadline: bool = False


@dataclass(frozen=True)
class GanttPicture:
    png: bytes
    bars: tuple[GanttBar, ...]
    width_px: int
    height_px: int

    def bars_of(self, kind: BarKind) -> list[GanttBar]:
        return [bar for bar in self.bars if bar.kind is kind]

    def markdown(self, alt: str = "Gantt chart") -> str:
        """The picture as Markdown with a base64 data URI, which the Dagster UI renders inline."""
        encoded = base64.b64encode(self.png).decode("ascii")
        return f"![{alt}](data:image/png;base64,{encoded})"


def draw_gantt(
    problem: SchedulingProblem,
    schedule: Schedule,
    *,
    timezone: str,
    title: str,
    banner: str | None = None,
) -> GanttPicture:
    """Draw ``schedule``: one row per line of ``problem``, time in ``timezone``.

    Processing bars take their product family's colour, changeovers are grey and hatched,
    downtimes dark and times outside a line's availability window light; a late order has
    a red outline and a red tick at its due time, a missed hard deadline a red cross-hatch.
    ``banner`` is written in red above the rows (a least-bad plan says what it is there).
    """
    if problem.plan_start is None:
        raise ValueError(f"problem {problem.name} has no plan_start: the chart needs dates")
    zone = ZoneInfo(timezone)
    span_end = max((item.end for item in schedule.assignments), default=0) or problem.horizon
    lines = [line.id for line in problem.lines]
    rows = {line: len(lines) - 1 - index for index, line in enumerate(lines)}
    families = _family_colours(problem)

    height = FRAME_INCHES + ROW_INCHES * max(1, len(lines))
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()

    def x(minute: int) -> float:
        return float(mdates.date2num(problem.to_datetime(minute)))

    def block(minute_start: int, minute_end: int) -> tuple[float, float]:
        return x(minute_start), x(minute_end) - x(minute_start)

    bars: list[GanttBar] = []
    for line in lines:
        for start, end in _outside_window(problem, line, span_end):
            axes.broken_barh(
                [block(start, end)], (rows[line] - 0.45, 0.9), color=UNAVAILABLE_COLOUR
            )
            bars.append(GanttBar(BarKind.UNAVAILABLE, line, start, end))
        for start, end in merged_downtimes(problem, line):
            if start >= span_end:
                continue
            end = min(end, span_end)
            axes.broken_barh(
                [block(start, end)], (rows[line] - 0.45, 0.9), color=DOWNTIME_COLOUR, alpha=0.55
            )
            bars.append(GanttBar(BarKind.DOWNTIME, line, start, end))

    labels = []
    for item in _in_line_order(schedule.assignments):
        order = problem.order(item.order)
        y = rows[item.line] - BAR_HEIGHT / 2
        if item.setup_before:
            axes.broken_barh(
                [block(item.start - item.setup_before, item.start)],
                (y, BAR_HEIGHT),
                facecolor=CHANGEOVER_COLOUR,
                edgecolor="#999999",
                hatch="////",
                linewidth=0.4,
            )
            bars.append(
                GanttBar(
                    BarKind.CHANGEOVER,
                    item.line,
                    item.start - item.setup_before,
                    item.start,
                    order=item.order,
                )
            )
        late = item.end > order.due
        missed = order.deadline is not None and item.end > order.deadline
        axes.broken_barh(
            [block(item.start, item.end)],
            (y, BAR_HEIGHT),
            facecolor=families[order.product],
            edgecolor=LATE_COLOUR if late else "white",
            linewidth=1.6 if late else 0.6,
            hatch="xx" if missed else None,
        )
        if late:
            axes.plot(
                [x(order.due)] * 2,
                [rows[item.line] - 0.45, rows[item.line] + 0.45],
                color=LATE_COLOUR,
                linewidth=1.0,
            )
        text = axes.text(
            x((item.start + item.end) // 2) if item.end > item.start else x(item.start),
            rows[item.line],
            _short(item.order) + ("!" if late else ""),
            ha="center",
            va="center",
            fontsize=LABEL_POINTS,
            color="black",
            clip_on=True,
        )
        text.set_in_layout(False)
        labels.append((text, item, late, missed))

    axes.set_xlim(x(0), x(span_end))
    axes.set_ylim(-0.5, len(lines) - 0.5)
    axes.set_yticks(list(rows.values()), labels=list(rows))
    locator = mdates.AutoDateLocator(tz=zone, minticks=6, maxticks=16)
    axes.xaxis.set_major_locator(locator)
    # Planners count in weekdays: day ticks read "Mon 04", the first of a month "Fri 01 Jan".
    formatter = mdates.ConciseDateFormatter(
        locator,
        tz=zone,
        formats=["%Y", "%b", "%a %d", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%a %d %b", "%a %d", "%H:%M", "%H:%M"],
    )
    axes.xaxis.set_major_formatter(formatter)
    axes.set_xlabel(f"plant time ({timezone})")
    axes.grid(axis="x", color="#cccccc", linewidth=0.5)
    axes.set_axisbelow(True)
    figure.suptitle(title, fontsize=11)
    if banner:
        axes.set_title(banner, color=LATE_COLOUR, fontsize=10)
    figure.legend(
        handles=_legend(problem, families, any(missed for *_, missed in labels)),
        loc="outside lower center",
        ncol=8,
        fontsize=7,
        frameon=False,
    )

    # Labels are measured once the layout is final; they stay out of the layout themselves.
    canvas.draw()
    renderer = canvas.get_renderer()
    for text, item, late, missed in labels:
        fits = _fits(text.get_window_extent(renderer).width, axes, x(item.start), x(item.end))
        if not fits:
            text.remove()
        bars.append(
            GanttBar(
                BarKind.PROCESSING,
                item.line,
                item.start,
                item.end,
                order=item.order,
                label=text.get_text() if fits else None,
                late=late,
                missed_deadline=missed,
            )
        )

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    width, height_px = canvas.get_width_height()
    return GanttPicture(buffer.getvalue(), tuple(bars), int(width), int(height_px))


def text_gantt(problem: SchedulingProblem, schedule: Schedule) -> str:
    """A text Gantt chart in a code block: one row per line, '~' for changeovers."""
    makespan = max((a.end for a in schedule.assignments), default=0)
    if makespan == 0:
        return "_empty schedule_"
    scale = makespan / TEXT_WIDTH
    legend: list[str] = []
    rows: list[str] = []
    index = 0
    for line in sorted({a.line for a in schedule.assignments}):
        cells = ["."] * TEXT_WIDTH
        for item in sorted(
            (a for a in schedule.assignments if a.line == line), key=lambda a: a.start
        ):
            symbol = TEXT_SYMBOLS[index % len(TEXT_SYMBOLS)]
            index += 1
            legend.append(f"{symbol}={item.order}")
            _paint(cells, item.start - item.setup_before, item.start, "~", scale)
            _paint(cells, item.start, item.end, symbol, scale)
        rows.append(f"{line:>8} |{''.join(cells)}|")
    start = _iso(problem, 0)
    end = _iso(problem, makespan)
    return "\n".join(
        [
            f"```\n{'':>8}  {start} ... {end} (one column = {scale / 60:.1f} h)",
            *rows,
            "```",
            "Legend: " + ", ".join(legend),
        ]
    )


def _iso(problem: SchedulingProblem, minute: int) -> str:
    if problem.plan_start is None:
        return str(minute)
    return problem.to_datetime(minute).isoformat(timespec="minutes")


def _paint(cells: list[str], start: int, end: int, symbol: str, scale: float) -> None:
    first = int(start / scale)
    last = max(first + 1, int(end / scale))
    for position in range(max(0, first), min(len(cells), last)):
        cells[position] = symbol


def _in_line_order(items: Sequence[ScheduledOrder]) -> list[ScheduledOrder]:
    return sorted(items, key=lambda item: (item.line, item.start))


def _outside_window(problem: SchedulingProblem, line: str, span_end: int) -> list[tuple[int, int]]:
    """Parts of ``[0, span_end)`` before the line opens or after it closes."""
    opens, closes = problem.line_window(line)
    parts = []
    if opens > 0:
        parts.append((0, min(opens, span_end)))
    if closes < span_end:
        parts.append((max(closes, 0), span_end))
    return [(start, end) for start, end in parts if end > start]


def _family_colours(problem: SchedulingProblem) -> dict[str, str]:
    families = sorted({product.family or product.id for product in problem.products})
    colour = {
        family: FAMILY_COLOURS[index % len(FAMILY_COLOURS)] for index, family in enumerate(families)
    }
    return {product.id: colour[product.family or product.id] for product in problem.products}


def _legend(problem: SchedulingProblem, colours: dict[str, str], missed: bool) -> list[Patch]:
    seen: dict[str, str] = {}
    for product in problem.products:
        seen.setdefault(product.family or product.id, colours[product.id])
    handles = [Patch(facecolor=colour, label=f"family {family}") for family, colour in seen.items()]
    return [
        *handles,
        Patch(facecolor=CHANGEOVER_COLOUR, edgecolor="#999999", hatch="////", label="changeover"),
        Patch(facecolor=DOWNTIME_COLOUR, alpha=0.55, label="downtime"),
        Patch(facecolor=UNAVAILABLE_COLOUR, label="line not available"),
        Patch(facecolor="white", edgecolor=LATE_COLOUR, linewidth=1.6, label="late (| = due)"),
        *(
            [Patch(facecolor="white", edgecolor=LATE_COLOUR, hatch="xx", label="deadline missed")]
            if missed
            else []
        ),
    ]


def _fits(text_width_px: float, axes, start: float, end: float) -> bool:
    left = axes.transData.transform((start, 0))[0]
    right = axes.transData.transform((end, 0))[0]
    return text_width_px + 4 <= right - left


def _short(order: str) -> str:
    """An SAP order number as SAP shows it: without its leading zeros."""
    return order.lstrip("0") or order
