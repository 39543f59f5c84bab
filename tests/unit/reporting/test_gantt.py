import base64
import io
import struct

import pytest
from matplotlib import image as mpimg

from pharma_pipelines.reporting.gantt import BarKind, draw_gantt, text_gantt
from pharma_pipelines.scheduling import SchedulingProblem
from tests.unit.reporting.plant import hand_schedule, plant, plant_data

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def picture():
    return draw_gantt(plant(), hand_schedule(), timezone="Europe/Berlin", title="report-plant")


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_the_picture_is_a_png_of_sensible_size(picture):
    width, height = png_size(picture.png)
    assert (width, height) == (picture.width_px, picture.height_px)
    assert 1000 <= width <= 2000
    assert 200 <= height <= 800
    pixels = mpimg.imread(io.BytesIO(picture.png), format="png")
    assert pixels.shape[:2] == (height, width)


def test_one_processing_bar_per_order_and_one_changeover_per_changeover(picture):
    processing = picture.bars_of(BarKind.PROCESSING)
    assert sorted(bar.order for bar in processing) == ["O1", "O2", "O3", "O4"]
    assert len(picture.bars_of(BarKind.CHANGEOVER)) == 4
    assert {(bar.line, bar.start, bar.end) for bar in picture.bars_of(BarKind.CHANGEOVER)} == {
        ("L1", 0, 2),
        ("L1", 12, 16),
        ("L2", 10, 11),
        ("L2", 31, 37),
    }


def test_downtimes_and_closed_windows_are_shaded(picture):
    # The two overlapping downtimes of L1 are one shaded block.
    assert [(b.line, b.start, b.end) for b in picture.bars_of(BarKind.DOWNTIME)] == [("L1", 35, 46)]
    assert sorted((b.line, b.start, b.end) for b in picture.bars_of(BarKind.UNAVAILABLE)) == [
        ("L2", 0, 10),
        ("L3", 0, 47),
    ]


def test_late_orders_are_marked_and_labels_name_the_orders(picture):
    by_order = {bar.order: bar for bar in picture.bars_of(BarKind.PROCESSING)}
    assert {order for order, bar in by_order.items() if bar.late} == {"O1", "O2"}
    assert by_order["O1"].label == "O1!"
    assert by_order["O3"].label == "O3"


def test_a_label_that_does_not_fit_is_left_off():
    data = plant_data()
    data["orders"][0]["id"] = "a-very-long-order-name-" * 4
    problem = SchedulingProblem.model_validate(data)
    schedule = hand_schedule().model_copy(
        update={
            "assignments": tuple(
                a.model_copy(update={"order": data["orders"][0]["id"]}) if a.order == "O1" else a
                for a in hand_schedule().assignments
            )
        }
    )
    picture = draw_gantt(problem, schedule, timezone="Europe/Berlin", title="long names")
    labels = {bar.order: bar.label for bar in picture.bars_of(BarKind.PROCESSING)}
    assert labels[data["orders"][0]["id"]] is None
    assert labels["O3"] == "O3"


def test_the_markdown_embeds_the_png_as_a_data_uri(picture):
    markdown = picture.markdown("chart")
    assert markdown.startswith("![chart](data:image/png;base64,")
    encoded = markdown.removeprefix("![chart](data:image/png;base64,").removesuffix(")")
    assert base64.b64decode(encoded) == picture.png


def test_the_text_chart_has_a_row_per_used_line():
    chart = text_gantt(plant(), hand_schedule())
    assert chart.count(" |") == 2
    assert "2027-01-04T00:00+01:00" in chart
    assert "A=O1" in chart


def test_a_missed_deadline_is_marked_on_its_bar():
    data = plant_data()
    data["orders"][3]["deadline"] = 40
    problem = SchedulingProblem.model_validate(data)
    picture = draw_gantt(problem, hand_schedule(), timezone="Europe/Berlin", title="least bad")
    missed = [bar.order for bar in picture.bars_of(BarKind.PROCESSING) if bar.missed_deadline]
    assert missed == ["O4"]
