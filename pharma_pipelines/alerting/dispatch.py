"""Which failed evaluations each channel still owes, and sending them in order.

The alert sensor's cursor holds, per channel, the storage id of the last check evaluation
that channel has settled: delivered, or passed over because it needs no notification (a
passed check, a WARN failure). A channel moves past an evaluation only once it has
delivered it, and stops at the first failure to deliver, so on the next tick it starts
again with exactly the evaluations it has not delivered, oldest first; the other channel
keeps its own position and sends nothing twice. Between a delivery and the cursor being
stored lies one window (a sensor process killed right then) in which a notification may
go out again; the webhook body's ``id`` lets a receiver drop such a repeat.

A channel that is switched on while another already has a position joins at the furthest
position reached: it announces what fails from then on, not the whole history. With no
position at all (the sensor's first tick) every channel starts at the beginning. A channel
that is switched off loses its position, so switching it on again does not replay what
happened while it was off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pharma_pipelines.alerting.delivery import Channel, DeliveryError
from pharma_pipelines.alerting.model import CheckFailure

BEFORE_FIRST = -1

# One evaluation read from the log: its storage id and, when it needs a notification, the
# failure to announce.
Evaluation = tuple[int, CheckFailure | None]
ReadAfter = Callable[[int], Sequence[Evaluation]]


@dataclass
class DispatchOutcome:
    """Where each channel stands after one tick, what it sent and what went wrong."""

    positions: dict[str, int]
    sent: dict[str, list[int]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    read: int = 0

    @property
    def sent_count(self) -> int:
        return sum(len(ids) for ids in self.sent.values())


def starting_positions(channels: Sequence[Channel], known: Mapping[str, int]) -> dict[str, int]:
    """Each channel's position: as stored, or joining at the furthest one stored."""
    furthest = max(known.values(), default=BEFORE_FIRST)
    return {channel.name: known.get(channel.name, furthest) for channel in channels}


def dispatch(
    channels: Sequence[Channel],
    known: Mapping[str, int],
    read_after: ReadAfter,
    max_sends_per_channel: int,
    out_of_time: Callable[[], bool] = lambda: False,
) -> DispatchOutcome:
    """Send each channel the failures after its position, in order, at most ``max_sends``.

    ``read_after(position)`` returns a bounded window of evaluations after a storage id,
    in ascending order; channels at the same position share one read. No new send starts
    once ``out_of_time()`` says so: what was sent must still reach the stored cursor.
    """
    positions = starting_positions(channels, known)
    outcome = DispatchOutcome(positions=dict(positions))
    windows: dict[int, Sequence[Evaluation]] = {}
    for channel in channels:
        position = positions[channel.name]
        if position not in windows:
            windows[position] = read_after(position)
            outcome.read += len(windows[position])
        sent: list[int] = []
        for storage_id, failure in windows[position]:
            if failure is not None:
                if len(sent) >= max_sends_per_channel or out_of_time():
                    break
                try:
                    note = channel.send(failure)
                except DeliveryError as error:
                    outcome.errors[channel.name] = str(error)
                    break
                sent.append(storage_id)
                if note:
                    outcome.notes.append(note)
            outcome.positions[channel.name] = storage_id
        outcome.sent[channel.name] = sent
    return outcome
