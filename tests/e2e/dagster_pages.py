"""What a person does in the Dagster UI (1.13), as steps a test can call.

Locators use what a user sees: button and link names, visible text, dialog roles. Every
step waits for something visible, never for a fixed time: the UI loads lazily and runs take
as long as the shared machine lets them.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

RUN_TIMEOUT_MS = 600_000
LAUNCH_TIMEOUT_MS = 180_000
RUN_STATUS = re.compile(r"^(Queued|Starting|Started|Success|Failure|Canceling|Canceled)$")
RUN_ENDED = re.compile(r"^(Success|Failure|Canceled)$")


def open_asset_graph(page: Page, base_url: str) -> None:
    """The global asset lineage, each group collapsed to one box."""
    page.goto(f"{base_url}/asset-groups")
    expect(materialize_all_button(page)).to_be_visible()


def wait_for_statuses(page: Page) -> None:
    """Once the group boxes are drawn: each reads "N assets (fetching statuses)" until then."""
    expect(page.get_by_text("fetching statuses")).to_have_count(0)


def group_box(page: Page, group: str) -> Locator:
    """A group's box in the graph (the sidebar lists the same names first)."""
    return page.get_by_text(group, exact=True).last


def materialize_all_button(page: Page) -> Locator:
    # "Materialize all…" (with an ellipsis) when a dialog must ask which partitions.
    return page.get_by_role("button", name=re.compile(r"Materialize all"))


def launch_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog").filter(has_text="Launch runs to materialize")


def wait_until_loaded(dialog: Locator) -> None:
    """The launch dialog loads its job and partition sets after it opens."""
    expect(dialog.get_by_text("Loading pipeline and partition sets")).to_have_count(0)


def launched_run(page: Page) -> Locator:
    """The toast that confirms a launch; its 'View' link leads to the run."""
    return page.get_by_text("Launched run").locator("xpath=ancestor::*[.//a][1]")


def follow_launched_run(page: Page) -> str:
    """Wait for the launch toast and open the run; returns the run id."""
    toast = launched_run(page)
    expect(toast).to_be_visible(timeout=LAUNCH_TIMEOUT_MS)
    link = toast.get_by_role("link", name="View")
    run_id = (link.get_attribute("href") or "").rsplit("/", 1)[-1]
    link.click()
    expect(page).to_have_url(re.compile(rf"/runs/{run_id}$"))
    return run_id


def run_status(page: Page) -> Locator:
    """The status tag in the header of a run's page (the only text that is just a status)."""
    return page.get_by_text(RUN_STATUS)


def wait_for_run_end(page: Page) -> str:
    """On a run's page: wait until the run ends; returns Success, Failure or Canceled."""
    status = run_status(page)
    expect(status).to_have_text(RUN_ENDED, timeout=RUN_TIMEOUT_MS)
    return status.inner_text()


def metadata_row(page: Page, key: str) -> Locator:
    """The row of a metadata table whose key is exactly ``key``."""
    return page.locator("tr").filter(has=page.get_by_text(key, exact=True)).first


def metadata_value(page: Page, key: str) -> str:
    row = metadata_row(page, key)
    expect(row).to_be_visible()
    return row.locator("td").last.inner_text().strip()


def check_result(page: Page) -> Locator:
    """On a check's page: the latest evaluation's result (Passed, Failed), under its label."""
    return page.get_by_text("Evaluation result", exact=True).locator("xpath=..")


def show_markdown(page: Page, row: Locator) -> Locator:
    """Open a Markdown metadata value (the table shows only a link) in its dialog."""
    row.get_by_text("[Show Markdown]").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    return dialog


def close_dialog(dialog: Locator) -> None:
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def table_rows(table: Locator) -> list[dict[str, str]]:
    """A rendered HTML table as records keyed by its header cells."""
    header = [cell.strip() for cell in table.locator("thead th").all_inner_texts()]
    records = []
    for row in table.locator("tbody tr").all():
        cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
        records.append(dict(zip(header, cells, strict=True)))
    return records
