"""SAP extracts as a plant's users download them: one layout per table, quirks included.

The layouts differ on purpose, because they do in the field: the material master comes
from a German GUI session (labels, Windows-1252, ``;``), the order list is a TAB download
with technical names, the batch file carries a UTF-8 BOM, the stock list uses German
number format with SAP's trailing minus, and the unit table T006 comes without a header.
"""

from __future__ import annotations

from pharma_pipelines.sample.formats import fixed, german_quantity, sap_date
from pharma_pipelines.sample.model import PLANT, Plant, ProductionOrder
from pharma_pipelines.sample.tables import Table, TextLayout
from pharma_pipelines.sample.units import UNITS, t006_row

_GUI_CP1252 = TextLayout(";", "cp1252", "\r\n")
_TAB_CRLF = TextLayout("\t", "utf-8", "\r\n")
_TAB_LF = TextLayout("\t", "utf-8", "\n")
_COMMA_BOM = TextLayout(",", "utf-8", "\n", bom=True)
_SEMICOLON_CRLF = TextLayout(";", "utf-8", "\r\n")
_SEMICOLON_LF = TextLayout(";", "utf-8", "\n")
_COMMA_LF = TextLayout(",", "utf-8", "\n")

_STATUS_TEXT = {
    "CRTD": "CRTD MANC",
    "REL": "REL  PRC  MACM",
    "TECO": "TECO PCNF DLV  PRC",
}


def sap_tables(plant: Plant, stamp: str) -> list[Table]:
    return [
        material_master(plant, stamp),
        production_orders(plant, stamp),
        batches(plant, stamp),
        batch_stock(plant, stamp),
        work_centers(plant, stamp),
        production_versions(plant, stamp),
        changeovers(plant, stamp),
        units(stamp),
    ]


def material_master(plant: Plant, stamp: str) -> Table:
    """German labels; the first product number was typed in quotes, so SAP kept them."""
    header = [
        "Materialnummer",
        "Materialkurztext",
        "Materialart",
        "Warengruppe",
        "Basismengeneinheit",
        "Werk",
        "Gesamthaltbarkeit",
    ]
    rows = [
        [
            m.number,
            m.description,
            m.material_type,
            m.group,
            m.base_unit,
            PLANT,
            str(m.shelf_life_days),
        ]
        for m in plant.materials
    ]
    return Table(
        f"sap/MARA_material_master_{stamp}.csv",
        "sap/material_master",
        _GUI_CP1252,
        header,
        rows,
        quoted_cells={(0, 0)},
    )


def production_orders(plant: Plant, stamp: str) -> Table:
    header = [
        "AUFNR",
        "MATNR",
        "WERKS",
        "GAMNG",
        "GMEIN",
        "GSTRP",
        "GLTRP",
        "GETRI",
        "APRIO",
        "STTXT",
    ]
    orders = sorted(plant.completed_orders + plant.open_orders, key=lambda order: order.number)
    return Table(
        f"sap/AFKO_production_orders_{stamp}.txt",
        "sap/production_orders",
        _TAB_CRLF,
        header,
        [_order_row(order) for order in orders],
    )


def _order_row(order: ProductionOrder) -> list[str]:
    return [
        order.number,
        order.material,
        PLANT,
        fixed(order.quantity, 3),
        order.unit,
        sap_date(order.start),
        sap_date(order.finish),
        sap_date(order.actual_finish),
        str(order.priority),
        _STATUS_TEXT[order.status.value],
    ]


def batches(plant: Plant, stamp: str) -> Table:
    header = ["CHARG", "MATNR", "WERKS", "HSDAT", "VFDAT", "AUFNR"]
    rows = [
        [
            batch.number,
            batch.material,
            PLANT,
            sap_date(batch.manufactured_on),
            sap_date(batch.expires_on),
            batch.order or "",
        ]
        for batch in plant.batches
    ]
    return Table(f"sap/MCH1_batches_{stamp}.csv", "sap/batches", _COMMA_BOM, header, rows)


def batch_stock(plant: Plant, stamp: str) -> Table:
    header = ["MATNR", "WERKS", "LGORT", "CHARG", "CLABS", "CINSM", "CSPEM", "MEINS"]
    rows = [
        [
            line.material,
            PLANT,
            line.storage_location,
            line.batch or "",
            german_quantity(line.unrestricted),
            german_quantity(line.in_inspection),
            german_quantity(line.blocked),
            line.unit,
        ]
        for line in plant.stock
    ]
    return Table(f"sap/MCHB_batch_stock_{stamp}.csv", "sap/stock", _SEMICOLON_CRLF, header, rows)


def work_centers(plant: Plant, stamp: str) -> Table:
    header = ["ARBPL", "WERKS", "KTEXT", "BEGDA", "ENDDA", "KAPAZ"]
    rows = [
        [
            center.code,
            PLANT,
            center.description,
            sap_date(center.available_from),
            sap_date(center.available_to),
            fixed(center.hours_per_day, 2),
        ]
        for center in plant.work_centers
    ]
    return Table(f"sap/CRHD_work_centers_{stamp}.txt", "sap/work_centers", _TAB_LF, header, rows)


def production_versions(plant: Plant, stamp: str) -> Table:
    header = ["MATNR", "WERKS", "VERID", "ARBPL", "RATE", "MEINS", "ADATU", "BDATU"]
    units = {product.number: product.base_unit for product in plant.products}
    rows = [
        [
            version.material,
            PLANT,
            version.version,
            version.work_center,
            fixed(version.rate_per_hour, 2),
            units[version.material],
            sap_date(version.valid_from),
            sap_date(version.valid_to),
        ]
        for version in plant.versions
    ]
    return Table(
        f"sap/MKAL_production_versions_{stamp}.csv",
        "sap/production_versions",
        _SEMICOLON_LF,
        header,
        rows,
    )


def changeovers(plant: Plant, stamp: str) -> Table:
    """A customer-specific (Z) report, so it uses English labels rather than DDIC names."""
    header = ["Work Center", "From Material Group", "To Material Group", "Changeover Minutes"]
    rows = [
        [item.work_center, item.from_group, item.to_group, str(item.minutes)]
        for item in plant.changeovers
    ]
    return Table(
        f"sap/ZPP_changeover_matrix_{stamp}.csv", "sap/changeovers", _COMMA_LF, header, rows
    )


_T006_FIELDS = [
    "MANDT",
    "MSEHI",
    "KZEX3",
    "KZEX6",
    "ANDEC",
    "KZKEH",
    "KZWOB",
    "KZ1EH",
    "KZ2EH",
    "DIMID",
    "ZAEHL",
    "NENNR",
    "EXP10",
    "ADDKO",
    "EXPON",
    "DECAN",
    "ISOCODE",
    "PRIMARY",
    "TEMP_VALUE",
    "TEMP_UNIT",
    "FAMUNIT",
    "PRESS_VAL",
    "PRESS_UNIT",
]


def units(stamp: str) -> Table:
    """T006 of the plant's client, downloaded from the table browser: no header line."""
    return Table(
        f"sap/T006_units_{stamp}.csv",
        "sap/units",
        _COMMA_LF,
        list(_T006_FIELDS),
        [t006_row(unit) for unit in UNITS],
        headerless=True,
    )
