"""Each channel delivers each failure once, in order, and resumes where it stopped."""

from __future__ import annotations

from dataclasses import dataclass, field

from pharma_pipelines.alerting.delivery import DeliveryError
from pharma_pipelines.alerting.dispatch import BEFORE_FIRST, dispatch, starting_positions
from pharma_pipelines.alerting.model import CheckFailure
from tests.unit.alerting.failures import duplicate_products


@dataclass
class RecordingChannel:
    """A channel that records what it delivered and refuses the ids it is told to, once."""

    name: str
    refuse_once: set[int] = field(default_factory=set)
    delivered: list[int] = field(default_factory=list)
    partial: bool = False

    def send(self, failure: CheckFailure) -> str | None:
        assert failure.storage_id is not None
        if failure.storage_id in self.refuse_once:
            self.refuse_once.discard(failure.storage_id)
            raise DeliveryError(f"{self.name} refused {failure.storage_id}")
        self.delivered.append(failure.storage_id)
        return f"{self.name} half-delivered {failure.storage_id}" if self.partial else None


def event_log(*ids_and_failed: tuple[int, bool]):
    """A log of evaluations: ``(storage id, failed)``; reads return what lies after a position."""
    log = [
        (i, duplicate_products(storage_id=i) if failed else None) for i, failed in ids_and_failed
    ]
    reads: list[int] = []

    def read_after(position: int):
        reads.append(position)
        return [entry for entry in log if entry[0] > position]

    return read_after, reads


def test_failures_are_sent_in_order_and_passed_evaluations_only_move_the_position():
    read_after, _ = event_log((3, True), (5, False), (8, True), (9, False))
    mail = RecordingChannel("email")
    outcome = dispatch([mail], {}, read_after, max_sends_per_channel=10)
    assert mail.delivered == [3, 8]
    assert outcome.positions == {"email": 9}
    assert outcome.errors == {}

    again = dispatch([mail], outcome.positions, read_after, max_sends_per_channel=10)
    assert mail.delivered == [3, 8]
    assert again.sent == {"email": []}


def test_a_refused_delivery_stops_that_channel_only_and_is_retried_next_time():
    read_after, _ = event_log((3, True), (5, True), (8, True))
    mail = RecordingChannel("email")
    hook = RecordingChannel("webhook", refuse_once={5})
    first = dispatch([mail, hook], {}, read_after, max_sends_per_channel=10)
    assert first.positions == {"email": 8, "webhook": 3}
    assert "webhook refused 5" in first.errors["webhook"]

    second = dispatch([mail, hook], first.positions, read_after, max_sends_per_channel=10)
    assert second.errors == {}
    assert mail.delivered == [3, 5, 8]
    assert hook.delivered == [3, 5, 8]


def test_work_per_tick_is_bounded_and_the_rest_waits():
    read_after, _ = event_log(*((i, True) for i in range(1, 8)))
    hook = RecordingChannel("webhook")
    first = dispatch([hook], {}, read_after, max_sends_per_channel=3)
    assert hook.delivered == [1, 2, 3]
    assert first.positions == {"webhook": 3}
    dispatch([hook], first.positions, read_after, max_sends_per_channel=3)
    assert hook.delivered == [1, 2, 3, 4, 5, 6]


def test_channels_at_one_position_share_a_read():
    read_after, reads = event_log((3, True))
    dispatch([RecordingChannel("email"), RecordingChannel("webhook")], {}, read_after, 10)
    assert reads == [BEFORE_FIRST]


def test_a_channel_switched_on_later_joins_at_the_furthest_position():
    mail, hook = RecordingChannel("email"), RecordingChannel("webhook")
    assert starting_positions([mail, hook], {}) == {"email": -1, "webhook": -1}
    assert starting_positions([mail, hook], {"email": 40}) == {"email": 40, "webhook": 40}
    read_after, _ = event_log((41, True))
    outcome = dispatch([hook], {"email": 40, "webhook": 12}, read_after, 10)
    assert outcome.positions == {"webhook": 41}, "a channel switched off loses its position"


def test_a_partly_delivered_alert_counts_as_delivered_and_is_noted():
    read_after, _ = event_log((3, True))
    mail = RecordingChannel("email", partial=True)
    outcome = dispatch([mail], {}, read_after, 10)
    assert outcome.positions == {"email": 3}
    assert outcome.notes == ["email half-delivered 3"]


def test_no_send_starts_once_the_tick_is_out_of_time():
    read_after, _ = event_log((3, True), (5, True), (8, True))
    mail = RecordingChannel("email")
    outcome = dispatch([mail], {}, read_after, 10, out_of_time=lambda: bool(mail.delivered))
    assert mail.delivered == [3]
    assert outcome.positions == {"email": 3}
