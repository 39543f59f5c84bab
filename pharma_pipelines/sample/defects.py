"""Deliberate, labelled defects for the broken fixture, one per fault class ingestion must catch.

Each defect is placed in a different file where possible, so that quarantining one file does
not hide another defect. Rows are added at the end of a table or changed in place, never
inserted, so the reported line numbers stay true.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pharma_pipelines.sample.documents import BytePatch, Documents
from pharma_pipelines.sample.model import Decision, Plant
from pharma_pipelines.sample.outlook_files import Sheet
from pharma_pipelines.sample.summary import Defect
from pharma_pipelines.sample.tables import Table, TextLayout

UNKNOWN_ORDER_MATERIAL = "000000000000099999"
UNKNOWN_MAIL_MATERIAL = "000000000000077777"


def inject_defects(documents: Documents, plant: Plant) -> tuple[list[Defect], list[BytePatch]]:
    undecodable, patch = _undecodable_byte(documents)
    defects = [
        _duplicate_material(documents),
        _order_for_unknown_material(documents),
        _blank_required_field(documents),
        _unparsable_quantity(documents),
        _released_batch_out_of_spec(documents, plant),
        _oos_invalidated_without_reason(documents, plant),
        undecodable,
        _mail_line_for_unknown_material(documents),
        _mail_line_in_unknown_unit(documents),
        _unclassifiable_file(documents),
    ]
    return defects, [patch]


def _duplicate_material(documents: Documents) -> Defect:
    table = documents.table("sap/MARA_")
    key = table.column("Materialnummer")
    text = table.column("Materialkurztext")
    original_index = 2
    copy = list(table.rows[original_index])
    copy[text] = copy[text].split(" – ")[0] + " – alter Text"
    table.rows.append(copy)
    return Defect(
        code="duplicate_material_key",
        file=table.path,
        row=table.line_of(len(table.rows) - 1),
        column="Materialnummer",
        value=copy[key],
        description=(
            f"material {copy[key]} appears twice (lines {table.line_of(original_index)} and "
            f"{table.line_of(len(table.rows) - 1)}) with different short texts"
        ),
    )


def _order_for_unknown_material(documents: Documents) -> Defect:
    table = documents.table("sap/AFKO_")
    order, material = table.column("AUFNR"), table.column("MATNR")
    copy = list(table.rows[-1])
    copy[order] = f"{int(copy[order]) + 1:012d}"
    copy[material] = UNKNOWN_ORDER_MATERIAL
    table.rows.append(copy)
    return Defect(
        code="order_for_unknown_material",
        file=table.path,
        row=table.line_of(len(table.rows) - 1),
        column="MATNR",
        value=UNKNOWN_ORDER_MATERIAL,
        description=f"open order {copy[order]} is for a material the material master lacks",
    )


def _blank_required_field(documents: Documents) -> Defect:
    table = documents.table("sap/MCH1_")
    material = table.column("MATNR")
    index = 5
    batch = table.rows[index][table.column("CHARG")]
    table.rows[index][material] = ""
    return Defect(
        code="blank_required_field",
        file=table.path,
        row=table.line_of(index),
        column="MATNR",
        value="",
        description=f"batch {batch} has no material; MATNR is required for batches",
    )


def _unparsable_quantity(documents: Documents) -> Defect:
    table = documents.table("sap/MCHB_")
    column = table.column("CLABS")
    index = 1
    value = "1.25O,000"
    table.rows[index][column] = value
    return Defect(
        code="unparsable_quantity",
        file=table.path,
        row=table.line_of(index),
        column="CLABS",
        value=value,
        description="unrestricted stock has a letter O typed for a zero; not a de-DE number",
    )


def _released_batch_out_of_spec(documents: Documents, plant: Plant) -> Defect:
    table = documents.table("lims/results_2")
    batch, test, result = table.column("Batch"), table.column("Test"), table.column("Result")
    released = {d.batch for d in plant.dispositions if d.decision is Decision.RELEASED}
    runs = Counter((row[batch], row[test]) for row in table.rows)
    # A test run once, so the edited result is the final one and nothing supersedes it.
    index = next(
        i
        for i, row in enumerate(table.rows)
        if row[batch] in released and row[test] == "ASSAY" and runs[(row[batch], row[test])] == 1
    )
    value = "91.8"
    table.rows[index][result] = value
    return Defect(
        code="released_batch_out_of_spec",
        file=table.path,
        row=table.line_of(index),
        column="Result",
        value=value,
        description=(
            f"batch {table.rows[index][batch]} is RELEASED but its release-relevant ASSAY "
            "result 91.8 % is below the specification 95.0-105.0 %"
        ),
    )


def _oos_invalidated_without_reason(documents: Documents, plant: Plant) -> Defect:
    """The re-sampled batch's invalidated OOS loses its documented cause: the OOS stands."""
    table = documents.table("lims/results_2")
    batch, test, status = table.column("Batch"), table.column("Test"), table.column("Result Status")
    reason = table.column("Invalidation Reason")
    released = {d.batch for d in plant.dispositions if d.decision is Decision.RELEASED}
    index = next(
        i
        for i, row in enumerate(table.rows)
        if row[status] == "Invalidated" and row[batch] in released and row[test] == "DISSOLUTION"
    )
    row = table.rows[index]
    cause = row[reason]
    row[reason] = ""
    return Defect(
        code="oos_invalidated_without_reason",
        file=table.path,
        row=table.line_of(index),
        column="Invalidation Reason",
        value="",
        description=(
            f"batch {row[batch]} is RELEASED; its DISSOLUTION result {row[table.column('Result')]}"
            f" % is out of specification and marked Invalidated, but the reason ({cause!r}) is "
            "gone, so no documented cause sets the OOS aside"
        ),
    )


def _undecodable_byte(documents: Documents) -> tuple[Defect, BytePatch]:
    """A Windows-1252 ``ü`` (0xFC) inside the UTF-8 work-center file, as a bad copy leaves it."""
    table = documents.table("sap/CRHD_")
    text = table.column("KTEXT")
    index = next(i for i, row in enumerate(table.rows) if "ü" in row[text])
    content = table.render()
    line_end = table.layout.line_end.encode()
    line_start = 0
    for _ in range(table.line_of(index) - 1):
        line_start = content.index(line_end, line_start) + len(line_end)
    utf8_u_umlaut = "ü".encode()
    offset = content.index(utf8_u_umlaut, line_start)
    defect = Defect(
        code="undecodable_byte",
        file=table.path,
        row=table.line_of(index),
        column="KTEXT",
        value="0xFC",
        description=(
            f"byte 0xFC at offset {offset} is not valid UTF-8 (a Windows-1252 'ü' in "
            f"'{table.rows[index][text]}'); the file is declared UTF-8"
        ),
    )
    return defect, BytePatch(table.path, offset, utf8_u_umlaut, b"\xfc")


def _mail_line_for_unknown_material(documents: Documents) -> Defect:
    mail = documents.mail("_order_ACME.eml")
    sheet: Sheet = mail.sheets[0]
    last = sheet.rows[-1]
    item = last[1]
    if not isinstance(item, int):
        raise TypeError(f"item of {sheet.file_name} should be a number, found {item!r}")
    requested = last[5]
    if not isinstance(requested, dt.date):
        raise TypeError(f"requested date of {sheet.file_name} should be a date, got {requested!r}")
    sheet.rows.append([last[0], item + 1, UNKNOWN_MAIL_MATERIAL, 5000, "ST", requested])
    return Defect(
        code="mail_line_for_unknown_material",
        file=mail.path or "",
        row=sheet.line_of(len(sheet.rows) - 1),
        column="Material",
        value=UNKNOWN_MAIL_MATERIAL,
        description=(
            f"order line {item + 1} of {sheet.file_name} asks for a material that is not in "
            "the material master"
        ),
        attachment=sheet.file_name,
    )


def _mail_line_in_unknown_unit(documents: Documents) -> Defect:
    """The Klinikum's buyer typed the German abbreviation for pieces into the unit column."""
    forward = documents.mail("_order_KLINIKUMSUED.eml")
    if forward.attached_message is None:
        raise TypeError(f"{forward.path} should carry the Klinikum's order as an attached mail")
    sheet: Sheet = forward.attached_message.sheets[0]
    unit = sheet.header.index("ME")
    index = 0
    value = "Stk"
    sheet.rows[index][unit] = value
    return Defect(
        code="unknown_unit",
        file=forward.path or "",
        row=sheet.line_of(index),
        column="ME",
        value=value,
        description=(
            f"order line {sheet.rows[index][1]} of {sheet.file_name} gives its quantity in "
            f"{value!r} (Stück), which is no SAP unit key, commercial code or ISO code; SAP "
            "knows pieces as ST (ISO PCE)"
        ),
        attachment=sheet.file_name,
    )


def _unclassifiable_file(documents: Documents) -> Defect:
    """Quality notifications: a real SAP download, but none of the extract kinds."""
    header = ["QMNUM", "QMART", "QMTXT", "ERDAT", "PRIOK"]
    rows = [
        ["000200004711", "Q2", "Reklamation Blisterfolie undicht", "20261214", "2"],
        ["000200004712", "Q3", "Etikett falsch gedruckt – Charge gesperrt", "20261219", "1"],
    ]
    path = f"sap/ZQM_notifications_{documents.stamp}.txt"
    documents.tables.append(Table(path, None, TextLayout("\t", "utf-8", "\r\n"), header, rows))
    return Defect(
        code="unclassifiable_file",
        file=path,
        row=None,
        column=None,
        value="\t".join(header),
        description="header names no field of any extract kind (quality notifications)",
    )
