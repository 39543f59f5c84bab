"""SAP extract kinds: flat-file header variants and S/4HANA API property names.

One spec serves both a flat file (``MATNR;MAKTX;...`` or German labels) and
an API record (``Product``, ``ProductGroup``, ...): the API property names are
just more header variants. Kinds that only the S/4HANA APIs deliver
(components, operations, status, BOM) have specs of their own.
"""

from __future__ import annotations

from pharma_pipelines.ingestion.schema import EntitySpec, day, key, number, text

MATERIAL_MASTER = EntitySpec(
    "sap/material_master",
    (
        key(
            "material", "MATNR", "Material", "Materialnummer", "Product", "PRODUCTID", required=True
        ),
        text(
            "description", "MAKTX", "Material Description", "Materialkurztext", "ProductDescription"
        ),
        key("material_type", "MTART", "Material Type", "Materialart", "ProductType", "TYPECODE"),
        key(
            "material_group",
            "MATKL",
            "Material Group",
            "Warengruppe",
            "ProductGroup",
            "PRODUCTCATEGORYID",
            "PRODCATEGORYID",
            "Product Category",
            "Category",
            required=True,
        ),
        key(
            "base_unit",
            "MEINS",
            "Base Unit of Measure",
            "Basismengeneinheit",
            "BaseUnit",
            "BME",
            "QUANTITYUNIT",
        ),
        key("plant", "WERKS", "Plant", "Werk"),
        number(
            "shelf_life_days", "MHDHB", "Total Shelf Life", "Gesamthaltbarkeit", "TotalShelfLife"
        ),
        key("industry_sector", "MBRSH", "Industry Sector", "Branche", "IndustrySector"),
        key("division", "SPART", "Division", "Sparte"),
        number("gross_weight", "BRGEW", "Gross Weight", "Bruttogewicht", "GrossWeight"),
        number("net_weight", "NTGEW", "Net Weight", "Nettogewicht", "NetWeight"),
        key("weight_unit", "GEWEI", "Weight Unit", "Gewichtseinheit", "WeightUnit"),
    ),
    "material (product) master, MARA/MAKT or API_PRODUCT_SRV general data",
)

MATERIAL_TEXTS = EntitySpec(
    "sap/material_texts",
    (
        key(
            "material", "MATNR", "Material", "Materialnummer", "Product", "PRODUCTID", required=True
        ),
        key(
            "language", "SPRAS", "LANGU", "Language", "Sprache", "Sprachenschlüssel", required=True
        ),
        text(
            "description",
            "MAKTX",
            "Material Description",
            "Materialkurztext",
            "ProductDescription",
            "SHORT_DESCR",
            "Short Description",
            required=True,
        ),
    ),
    "material descriptions per language (MAKT)",
)

PRODUCTION_ORDERS = EntitySpec(
    "sap/production_orders",
    (
        key("order", "AUFNR", "Order", "Auftrag", "ManufacturingOrder", required=True),
        key("material", "MATNR", "PLNBEZ", "Material", required=True),
        key("plant", "WERKS", "Plant", "Werk", "ProductionPlant"),
        number(
            "quantity",
            "GAMNG",
            "Total Order Quantity",
            "Gesamtauftragsmenge",
            "TotalQuantity",
            required=True,
        ),
        key("unit", "GMEIN", "Unit", "ProductionUnit", "Mengeneinheit"),
        day(
            "start_date",
            "GSTRP",
            "Basic Start Date",
            "Eckstarttermin",
            "MfgOrderPlannedStartDate",
            required=True,
        ),
        day(
            "finish_date",
            "GLTRP",
            "Basic Finish Date",
            "Eckendtermin",
            "MfgOrderPlannedEndDate",
            required=True,
        ),
        text("priority", "APRIO", "Priority", "Priorität"),
        text("system_status", "STTXT", "System Status", "Systemstatus"),
        key("order_type", "AUART", "Order Type", "Auftragsart", "ManufacturingOrderType"),
        key(
            "production_version",
            "VERID",
            "Production Version",
            "Fertigungsversion",
            "ProductionVersion",
        ),
        day(
            "scheduled_start",
            "GSTRS",
            "Scheduled Start",
            "Terminierter Start",
            "MfgOrderScheduledStartDate",
        ),
        day(
            "scheduled_finish",
            "GLTRS",
            "Scheduled Finish",
            "Terminiertes Ende",
            "MfgOrderScheduledEndDate",
        ),
        number("scrap_quantity", "GASMG", "Scrap Quantity", "MfgOrderPlannedScrapQty"),
        number("confirmed_yield", "IGMNG", "Confirmed Yield", "MfgOrderConfirmedYieldQty"),
        day("actual_finish", "GETRI", "Actual Finish", "Istende", "MfgOrderActualEndDate"),
    ),
    "production (process) order headers, AFKO/AUFK or API_PRODUCTION_ORDER_2_SRV",
)

BATCHES = EntitySpec(
    "sap/batches",
    (
        key("batch", "CHARG", "Batch", "Charge", required=True),
        key("material", "MATNR", "Material", required=True),
        key("plant", "WERKS", "Plant", "Werk", "BatchIdentifyingPlant"),
        day("manufactured_on", "HSDAT", "Date of Manufacture", "Herstelldatum", "ManufactureDate"),
        day("expires_on", "VFDAT", "SLED/BBD", "Verfallsdatum", "ShelfLifeExpirationDate"),
        key("order", "AUFNR", "Order", "Auftrag"),
        day(
            "available_on", "Availability Date", "Verfügbarkeitsdatum", "MatlBatchAvailabilityDate"
        ),
        key("supplier_batch", "LICHA", "Supplier Batch", "Lieferantencharge", "BatchBySupplier"),
        key("supplier", "LIFNR", "Supplier", "Lieferant"),
        text("deletion_flag", "LVORM", "Deletion Flag", "BatchIsMarkedForDeletion"),
    ),
    "batch master, MCH1/MCHA or API_BATCH_SRV",
)

BATCH_YIELDS = EntitySpec(
    "sap/batch_yields",
    (
        key("batch", "CHARG", "Batch", "Charge", required=True),
        key("material", "MATNR", "Material", required=True),
        # Text, not number: a batch record holds "n.a." where a value is missing, and the
        # row (a batch) must reach the curated table with that text kept, not be rejected.
        text("container_count", "Containers", "Number of Containers", "Anzahl Gebinde"),
        text("yield_pct", "Yield %", "Yield Percent", "Ausbeute %", required=True),
    ),
    "batch yield report: containers filled and yield in % of theoretical per batch",
)

STOCK = EntitySpec(
    "sap/stock",
    (
        key("material", "MATNR", "Material", "Materialnummer", required=True),
        key("plant", "WERKS", "Plant", "Werk", required=True),
        key("storage_location", "LGORT", "Storage Location", "Lagerort", "StorageLocation"),
        key("batch", "CHARG", "Batch", "Charge"),
        number(
            "unrestricted",
            "CLABS",
            "LABST",
            "Unrestricted",
            "Frei verwendbar",
            "MatlWrhsStkQtyInMatlBaseUnit",
            required=True,
        ),
        number("in_quality_inspection", "CINSM", "INSME", "In Quality Insp.", "Qualitätsprüfung"),
        number("blocked", "CSPEM", "SPEME", "Blocked", "Gesperrt"),
        key(
            "unit", "MEINS", "Base Unit of Measure", "MaterialBaseUnit", "BME", "Basismengeneinheit"
        ),
        number(
            "unrestricted_value", "Wert frei verw.", "Wert frei verwendbar", "Value Unrestricted"
        ),
        day("last_goods_receipt_on", "Letzter WE", "Last Goods Receipt", "Date of Last GR"),
        day("manufactured_on", "HSDAT", "Date of Manufacture", "Herstelldatum"),
        day("expires_on", "VFDAT", "SLED/BBD", "Verfallsdatum"),
        key("stock_type", "InventoryStockType", "Stock Type", "Bestandsart"),
        key("special_stock_type", "SOBKZ", "Special Stock", "InventorySpecialStockType"),
    ),
    "stock per material, plant, storage location and batch (MARD/MCHB, API_MATERIAL_STOCK_SRV)",
)

WORK_CENTERS = EntitySpec(
    "sap/work_centers",
    (
        key("work_center", "ARBPL", "Work Center", "Arbeitsplatz", "WorkCenter", required=True),
        key("plant", "WERKS", "Plant", "Werk", required=True),
        text(
            "description",
            "KTEXT",
            "Description",
            "Bezeichnung",
            "WorkCenterDesc",
            "WorkCenter_desc",
        ),
        day("available_from", "BEGDA", "Valid From", "Gültig ab", "ValidityStartDate"),
        day("available_to", "ENDDA", "Valid To", "Gültig bis", "ValidityEndDate"),
        number("hours_per_day", "KAPAZ", "Capacity Hours", "Kapazität"),
        key("work_center_id", "OBJID", "WorkCenterInternalID"),
        key("category", "VERWE", "Work Center Category", "WorkCenterCategoryCode"),
    ),
    "work centers (lines) and their capacity, CRHD/KAKO or API_WORK_CENTERS",
)

PRODUCTION_VERSIONS = EntitySpec(
    "sap/production_versions",
    (
        key("material", "MATNR", "Material", required=True),
        key("plant", "WERKS", "Plant", "Werk"),
        key("work_center", "ARBPL", "Work Center", "Arbeitsplatz", required=True),
        number("rate_per_hour", "RATE", "Rate per Hour", "Leistung pro Stunde", required=True),
        day("valid_from", "ADATU", "Valid From", "Gültig ab"),
        day("valid_to", "BDATU", "Valid To", "Gültig bis"),
        key("version", "VERID", "Production Version", "Fertigungsversion"),
        key("unit", "MEINS", "Base Unit of Measure", "Basismengeneinheit"),
    ),
    "which line can make which material, at what rate (MKAL with rates)",
)

CHANGEOVERS = EntitySpec(
    "sap/changeovers",
    (
        key("work_center", "ARBPL", "Work Center", "Arbeitsplatz", required=True),
        key("from_group", "FROM_MATKL", "From Material Group", "Von Warengruppe", required=True),
        key("to_group", "TO_MATKL", "To Material Group", "Nach Warengruppe", required=True),
        number("minutes", "RUEST_MIN", "Changeover Minutes", "Rüstzeit (min)", required=True),
    ),
    "sequence-dependent changeover minutes per line and material-group pair",
)

PRODUCTION_ORDER_ITEMS = EntitySpec(
    "sap/production_order_items",
    (
        key("order", "AUFNR", "ManufacturingOrder", required=True),
        key("item", "POSNR", "ManufacturingOrderItem", required=True),
        key("material", "MATNR", "Material", required=True),
        key("plant", "PWERK", "ProductionPlant", "Plant"),
        number("quantity", "PSMNG", "MfgOrderItemPlannedTotalQty", required=True),
        key("unit", "AMEIN", "ProductionUnit"),
        number("scrap_quantity", "PSAMG", "MfgOrderItemPlannedScrapQty"),
        number("goods_receipt_quantity", "WEMNG", "MfgOrderItemGoodsReceiptQty"),
        day("planned_delivery", "DGLTP", "MfgOrderItemPlndDeliveryDate"),
        day("actual_delivery", "LTRMI", "MfgOrderItemActualDeliveryDate"),
        key("storage_location", "LGORT", "StorageLocation"),
        key("batch", "CHARG", "Batch"),
    ),
    "production order items (AFPO, API_PRODUCTION_ORDER_2_SRV items)",
)

PRODUCTION_ORDER_COMPONENTS = EntitySpec(
    "sap/production_order_components",
    (
        key("order", "AUFNR", "ManufacturingOrder", required=True),
        key("reservation", "RSNUM", "Reservation", required=True),
        key("reservation_item", "RSPOS", "ReservationItem", required=True),
        key("operation", "VORNR", "ManufacturingOrderOperation"),
        key("bom_item", "POSNR", "BillOfMaterialItemNumber"),
        key("material", "MATNR", "Material", required=True),
        key("material_group", "MATKL", "MaterialGroup"),
        key("plant", "WERKS", "Plant"),
        key("storage_location", "LGORT", "StorageLocation"),
        key("batch", "CHARG", "Batch"),
        number("required_quantity", "BDMNG", "RequiredQuantity", required=True),
        number("withdrawn_quantity", "ENMNG", "WithdrawnQuantity"),
        key("unit", "MEINS", "BaseUnit"),
        day("required_on", "BDTER", "MatlCompRequirementDate"),
        key("movement_type", "BWART", "GoodsMovementType"),
    ),
    "material components reserved for production orders (RESB)",
)

PRODUCTION_ORDER_OPERATIONS = EntitySpec(
    "sap/production_order_operations",
    (
        key("order", "AUFNR", "ManufacturingOrder", required=True),
        key("operation", "VORNR", "ManufacturingOrderOperation", required=True),
        key("sequence", "PLNFL", "ManufacturingOrderSequence"),
        text("description", "LTXA1", "MfgOrderOperationText"),
        key("work_center", "ARBPL", "WorkCenter", required=True),
        key("work_center_id", "ARBID", "WorkCenterInternalID"),
        key("plant", "WERKS", "ProductionPlant"),
        key("control_key", "STEUS", "OperationControlProfile"),
        day("earliest_start", "FSAVD", "OpErlstSchedldExecStrtDte"),
        text("earliest_start_time", "FSAVZ", "OpErlstSchedldExecStrtTme"),
        day("earliest_finish", "FSEDD", "OpErlstSchedldExecEndDte"),
        text("earliest_finish_time", "FSEDZ", "OpErlstSchedldExecEndTme"),
        day("actual_start", "ISDD", "OpActualExecutionStartDate"),
        day("actual_finish", "IEDD", "OpActualExecutionEndDate"),
        number("operation_quantity", "MGVRG", "OpPlannedTotalQuantity"),
        key("operation_unit", "MEINH", "OperationUnit"),
    ),
    "operations of production orders and the work center each runs on (AFVC/AFVV)",
)

PRODUCTION_ORDER_STATUS = EntitySpec(
    "sap/production_order_status",
    (
        key("order", "AUFNR", "ManufacturingOrder", required=True),
        key("status", "STAT", "StatusCode", required=True),
        text("status_short_name", "TXT04", "StatusShortName"),
        text("status_name", "TXT30", "StatusName"),
        text("is_user_status", "IsUserStatus"),
    ),
    "system and user statuses of production orders (JEST/TJ02T)",
)

BOM_HEADERS = EntitySpec(
    "sap/bom_headers",
    (
        key("bom", "STLNR", "BillOfMaterial", required=True),
        key("material", "MATNR", "Material", required=True),
        key("plant", "WERKS", "Plant"),
        key("alternative", "STLAL", "BillOfMaterialVariant"),
        key("category", "STLTY", "BillOfMaterialCategory"),
        key("usage", "STLAN", "BillOfMaterialVariantUsage"),
        number("base_quantity", "BMENG", "BOMHeaderQuantityInBaseUnit"),
        key("base_unit", "BMEIN", "BOMHeaderBaseUnit"),
        day("valid_from", "DATUV", "HeaderValidityStartDate"),
        day("valid_to", "HeaderValidityEndDate"),
        key("status", "STLST", "BillOfMaterialStatus"),
    ),
    "bill of material headers (MAST/STKO, API_BILL_OF_MATERIAL_SRV)",
)

BOM_ITEMS = EntitySpec(
    "sap/bom_items",
    (
        key("bom", "STLNR", "BillOfMaterial", required=True),
        key("item_node", "STLKN", "BillOfMaterialItemNodeNumber", required=True),
        key("material", "MATNR", "Material"),
        key("plant", "WERKS", "Plant"),
        key("alternative", "STLAL", "BillOfMaterialVariant"),
        key("category", "STLTY", "BillOfMaterialCategory"),
        key("component", "IDNRK", "BillOfMaterialComponent", required=True),
        text("component_description", "ComponentDescription"),
        number("quantity", "MENGE", "BillOfMaterialItemQuantity", required=True),
        key("unit", "MEINS", "BillOfMaterialItemUnit"),
        number("scrap_percent", "AUSCH", "ComponentScrapInPercent"),
        day("valid_from", "DATUV", "ValidityStartDate"),
        day("valid_to", "ValidityEndDate"),
    ),
    "bill of material items: the components of a material (STPO)",
)

GOODS_MOVEMENTS = EntitySpec(
    "sap/goods_movements",
    (
        key("document", "MBLNR", "Material Document", "Materialbeleg", required=True),
        key("document_year", "MJAHR", "Material Doc. Year", "Materialbelegjahr"),
        key("item", "ZEILE", "Material Doc.Item", "Item", "Position"),
        key("movement_type", "BWART", "Movement Type", "Bewegungsart", required=True),
        key("material", "MATNR", "Material", required=True),
        key("plant", "WERKS", "Plant", "Werk"),
        key("storage_location", "LGORT", "Storage Location", "Lagerort"),
        key("batch", "CHARG", "Batch", "Charge"),
        number("quantity", "MENGE", "Quantity", "Menge", required=True),
        key("unit", "MEINS", "Base Unit of Measure", "Basismengeneinheit", "BME"),
        number("amount", "DMBTR", "Amount in LC", "Betrag in HW"),
        day("posted_on", "BUDAT", "Posting Date", "Buchungsdatum"),
        key("order", "AUFNR", "Order", "Auftrag"),
    ),
    "material document lines (MSEG, MB51): receipts, issues, reversals",
)

SALES_ORDERS = EntitySpec(
    "sap/sales_orders",
    (
        key(
            "sales_order",
            "VBELN",
            "Sales Document",
            "Verkaufsbeleg",
            "SALESORDERID",
            "SalesOrder",
            required=True,
        ),
        key(
            "customer",
            "KUNNR",
            "Sold-To Party",
            "Auftraggeber",
            "PARTNERID",
            "PARTNER.PARTNERID",
            "SoldToParty",
            required=True,
        ),
        day("created_on", "Created On", "Angelegt am", "CREATEDAT", "HISTORY.CREATEDAT"),
        key("sales_org", "VKORG", "Sales Organization", "Verkaufsorganisation", "SALESORG"),
        key("currency", "WAERK", "Document Currency", "Belegwährung", "CURRENCY"),
        number("net_amount", "NETWR", "Net Value", "Nettowert", "NETAMOUNT", "TotalNetAmount"),
        number("gross_amount", "GROSSAMOUNT"),
        number("tax_amount", "TAXAMOUNT"),
        key("delivery_status", "LFSTK", "Delivery Status", "DELIVERYSTATUS"),
        key("billing_status", "FKSTK", "Billing Status", "BILLINGSTATUS"),
        key("lifecycle_status", "GBSTK", "Overall Status", "LIFECYCLESTATUS"),
    ),
    "sales order headers (VBAK, API_SALES_ORDER_SRV): customer demand",
)

SALES_ORDER_ITEMS = EntitySpec(
    "sap/sales_order_items",
    (
        key(
            "sales_order",
            "VBELN",
            "Sales Document",
            "Verkaufsbeleg",
            "SALESORDERID",
            "SalesOrder",
            required=True,
        ),
        key(
            "item",
            "POSNR",
            "Sales Document Item",
            "SALESORDERITEM",
            "SalesOrderItem",
            required=True,
        ),
        key(
            "material",
            "MATNR",
            "Material",
            "PRODUCTID",
            "PRODUCT.PRODUCTID",
            "Product",
            required=True,
        ),
        number(
            "quantity",
            "KWMENG",
            "Order Quantity",
            "Auftragsmenge",
            "QUANTITY",
            "RequestedQuantity",
            required=True,
        ),
        key(
            "unit",
            "VRKME",
            "Sales Unit",
            "Verkaufsmengeneinheit",
            "QUANTITYUNIT",
            "RequestedQuantityUnit",
        ),
        day(
            "requested_date",
            "EDATU",
            "Delivery Date",
            "Lieferdatum",
            "DELIVERYDATE",
            "RequestedDeliveryDate",
        ),
        key("plant", "WERKS", "Plant", "Werk", "ProductionPlant"),
        key("currency", "WAERK", "Document Currency", "CURRENCY", "TransactionCurrency"),
        number("net_amount", "NETWR", "Net Value", "NETAMOUNT", "NetAmount"),
        number("gross_amount", "GROSSAMOUNT"),
        number("tax_amount", "TAXAMOUNT"),
        key("availability_status", "ITEMATPSTATUS"),
    ),
    "sales order items (VBAP/VBEP): material, quantity and requested date of customer demand",
)

BATCH_NOTES = EntitySpec(
    "sap/batch_notes",
    (
        key("batch", "CHARG", "Batch", "Charge", required=True),
        text(
            "note",
            "Bemerkung",
            "Note",
            "Notes",
            "Remark",
            "Comment",
            "Kommentar",
            "Batch Note",
            required=True,
        ),
        key("material", "MATNR", "Material"),
        key("plant", "WERKS", "Plant", "Werk"),
        key("storage_location", "LGORT", "Storage Location", "Lagerort"),
        text("value_text", "Wert", "Value"),
    ),
    "free-text remarks per batch kept by users beside SAP (notes, valuations as written)",
)

# Plant-level material data (MARC) as flat files write it and as the S/4HANA product
# API splits it into views (plant, supply planning, work scheduling). Fields shared with
# the MRP-area kind are defined once so both kinds read the same headers.
_MATERIAL = key("material", "MATNR", "Material", "Materialnummer", "Product", required=True)
_PLANT = key("plant", "WERKS", "Plant", "Werk", required=True)
_MRP_TYPE = key("mrp_type", "DISMM", "MRP Type", "Dispomerkmal", "MRPType")
_MRP_CONTROLLER = key("mrp_controller", "DISPO", "MRP Controller", "Disponent", "MRPResponsible")
_MRP_GROUP = key("mrp_group", "DISGR", "MRP Group", "Dispositionsgruppe", "MRPGroup")
_SPECIAL_PROCUREMENT = key(
    "special_procurement", "SOBSL", "Special Procurement", "Sonderbeschaffung", "ProcurementSubType"
)
_LOT_SIZING = key(
    "lot_sizing_procedure", "DISLS", "Lot Sizing Procedure", "Dispolosgröße", "LotSizingProcedure"
)
_MINIMUM_LOT = number(
    "minimum_lot_size", "BSTMI", "Minimum Lot Size", "Mindestlosgröße", "MinimumLotSizeQuantity"
)
_MAXIMUM_LOT = number(
    "maximum_lot_size", "BSTMA", "Maximum Lot Size", "Höchstlosgröße", "MaximumLotSizeQuantity"
)
_FIXED_LOT = number(
    "fixed_lot_size", "BSTFE", "Fixed Lot Size", "Feste Losgröße", "FixedLotSizeQuantity"
)
_ROUNDING = number(
    "rounding_value", "BSTRF", "Rounding Value", "Rundungswert", "LotSizeRoundingQuantity"
)
_REORDER_POINT = number(
    "reorder_point", "MINBE", "Reorder Point", "Meldebestand", "ReorderThresholdQuantity"
)
_SAFETY_STOCK = number(
    "safety_stock", "EISBE", "Safety Stock", "Sicherheitsbestand", "SafetyStockQuantity"
)
_MAXIMUM_STOCK = number(
    "maximum_stock", "MABST", "Maximum Stock Level", "Höchstbestand", "MaximumStockQuantity"
)
_TIME_FENCE = number(
    "planning_time_fence", "FXHOR", "Planning Time Fence", "Planungszeitzaun", "PlanningTimeFence"
)
_PLANNED_DELIVERY = number(
    "planned_delivery_days",
    "PLIFZ",
    "Planned Delivery Time",
    "Planlieferzeit",
    "PlannedDeliveryDurationInDays",
)
_SAFETY_TIME = number(
    "safety_time_days", "SHZET", "Safety Time", "Sicherheitszeit", "SafetyDuration"
)
_PLANNING_CALENDAR = key(
    "planning_calendar", "MRPPP", "Planning Calendar", "Planungskalender", "MRPPlanningCalendar"
)
_EP_STORAGE_LOCATION = key(
    "external_procurement_storage_location",
    "LGFSB",
    "Storage Location for EP",
    "Lagerort Fremdbeschaffung",
    "DfltStorageLocationExtProcmt",
)

MATERIAL_PLANT = EntitySpec(
    "sap/material_plant",
    (
        _MATERIAL,
        _PLANT,
        _MRP_TYPE,
        _MRP_CONTROLLER,
        _MRP_GROUP,
        key("purchasing_group", "EKGRP", "Purchasing Group", "Einkäufergruppe", "PurchasingGroup"),
        key("procurement_type", "BESKZ", "Procurement Type", "Beschaffungsart", "ProcurementType"),
        _SPECIAL_PROCUREMENT,
        _LOT_SIZING,
        _MINIMUM_LOT,
        _MAXIMUM_LOT,
        _FIXED_LOT,
        _ROUNDING,
        _REORDER_POINT,
        _SAFETY_STOCK,
        _MAXIMUM_STOCK,
        _TIME_FENCE,
        number(
            "gr_processing_days",
            "WEBAZ",
            "GR Processing Time",
            "WE-Bearbeitungszeit",
            "GoodsReceiptDuration",
        ),
        _PLANNED_DELIVERY,
        number(
            "in_house_production_days",
            "DZEIT",
            "In-House Production Time",
            "Eigenfertigungszeit",
            "InHouseProductionTime",
        ),
        _SAFETY_TIME,
        key(
            "availability_check",
            "MTVFP",
            "Availability Check",
            "Verfügbarkeitsprüfung",
            "AvailabilityCheckType",
        ),
        key("profit_center", "PRCTR", "Profit Center", "Profitcenter", "ProfitCenter"),
        text(
            "batch_management",
            "XCHPF",
            "Batch Management",
            "Chargenpflicht",
            "IsBatchManagementRequired",
        ),
        key(
            "production_storage_location",
            "LGPRO",
            "Production Storage Location",
            "Produktionslagerort",
            "ProductionInvtryManagedLoc",
        ),
        _EP_STORAGE_LOCATION,
        _PLANNING_CALENDAR,
        key(
            "production_scheduler",
            "FEVOR",
            "Production Scheduler",
            "Fertigungssteuerer",
            "ProductionSupervisor",
        ),
        key(
            "production_scheduling_profile",
            "SFCPF",
            "Production Scheduling Profile",
            "Fertigungssteuerungsprofil",
            "ProductionSchedulingProfile",
        ),
        number(
            "processing_time",
            "BEARZ",
            "Processing Time",
            "Bearbeitungszeit",
            "ProductProcessingTime",
        ),
        number("setup_time", "RUEZT", "Setup Time", "Rüstzeit", "SetupAndTeardownTime"),
        number(
            "interoperation_time", "TRANZ", "Interoperation Time", "Übergangszeit", "TransitionTime"
        ),
        number("base_quantity", "BASMG", "Base Quantity", "Basismenge", "MaterialBaseQuantity"),
        key("base_unit", "BaseUnit"),
        key(
            "production_unit",
            "FRTME",
            "Production Unit",
            "Fertigungsmengeneinheit",
            "ProductProductionQuantityUnit",
        ),
        key("goods_issue_unit", "AUSME", "Unit of Issue", "Ausgabemengeneinheit", "GoodsIssueUnit"),
        text(
            "batch_entry", "KZECH", "Batch Entry", "Chargenerfassung", "ProdnOrderIsBatchRequired"
        ),
        text(
            "backflush", "RGEKZ", "Backflush", "Retrograde Entnahme", "MatlCompIsMarkedForBackflush"
        ),
        key(
            "freight_group",
            "MFRGR",
            "Material Freight Group",
            "Materialfrachtgruppe",
            "MaterialFreightGroup",
        ),
        key(
            "plant_status",
            "MMSTA",
            "Plant-Specific Material Status",
            "Werksspezifischer Materialstatus",
            "ProfileCode",
        ),
        key("abc_indicator", "MAABC", "ABC Indicator", "ABC-Kennzeichen", "ABCIndicator"),
        text("deletion_flag", "LVORM", "Deletion Flag", "Löschvormerkung", "IsMarkedForDeletion"),
    ),
    "material data per plant: MRP, lot sizes, lead times, production scheduling (MARC)",
)

MATERIAL_MRP_AREAS = EntitySpec(
    "sap/material_mrp_areas",
    (
        _MATERIAL,
        key("plant", "WERKS", "Plant", "Werk", "MRP Area Plant", required=True),
        key("mrp_area", "BERID", "MRP Area", "Dispositionsbereich", "MRPArea", required=True),
        _MRP_TYPE,
        _MRP_CONTROLLER,
        _MRP_GROUP,
        _LOT_SIZING,
        _MINIMUM_LOT,
        _MAXIMUM_LOT,
        _FIXED_LOT,
        _ROUNDING,
        _REORDER_POINT,
        _SAFETY_STOCK,
        _MAXIMUM_STOCK,
        _TIME_FENCE,
        _PLANNED_DELIVERY,
        _SAFETY_TIME,
        number(
            "assembly_scrap_percent",
            "AUSSS",
            "Assembly Scrap (%)",
            "Baugruppenausschuss (%)",
            "AssemblyScrapPercent",
        ),
        _SPECIAL_PROCUREMENT,
        _EP_STORAGE_LOCATION,
        _PLANNING_CALENDAR,
        key(
            "production_storage_location",
            "LGPRO",
            "Issue Storage Location",
            "Produktionslagerort",
            "StorageLocation",
        ),
        text(
            "deletion_flag",
            "LOEKZ",
            "Deletion Indicator",
            "Löschkennzeichen",
            "IsMarkedForDeletion",
        ),
    ),
    "material planning data per MRP area of a plant (MDMA)",
)

MATERIAL_QUALITY = EntitySpec(
    "sap/material_quality",
    (
        _MATERIAL,
        _PLANT,
        key(
            "qm_control_key", "SSQSS", "QM Control Key", "QM-Steuerschlüssel", "QualityMgmtCtrlKey"
        ),
        key(
            "qm_authorization_group",
            "QMATA",
            "QM Material Auth.",
            "Materialberechtigungsgruppe",
            "MatlQualityAuthorizationGroup",
        ),
        text(
            "post_to_inspection_stock",
            "INSMK",
            "Post to Insp. Stock",
            "Prüfbestand",
            "HasPostToInspectionStock",
        ),
        text(
            "documentation_required",
            "KZDKZ",
            "Documentation Required",
            "Dokumentationspflicht",
            "InspLotDocumentationIsRequired",
        ),
        key(
            "supplier_qm_system",
            "QSSYS",
            "Target QM System",
            "Soll-QM-System",
            "SuplrQualityManagementSystem",
        ),
        number(
            "recurring_inspection_days",
            "PRFRQ",
            "Inspection Interval",
            "Prüfintervall",
            "RecrrgInspIntervalTimeInDays",
        ),
        key(
            "certificate_type",
            "QZGTP",
            "Certificate Type",
            "Zeugnistyp",
            "ProductQualityCertificateType",
        ),
        number(
            "maximum_storage_period",
            "MAXLZ",
            "Max. Storage Period",
            "Maximale Lagerungsdauer",
            "MaximumStoragePeriod",
        ),
        text("inspection_setup", "QMATV", "Inspection Setup", "Prüfeinstellung"),
    ),
    "quality management data of a material per plant (MARC QM view)",
)

BUSINESS_PARTNERS = EntitySpec(
    "sap/business_partners",
    (
        key(
            "partner",
            "PARTNER",
            "PARTNERID",
            "Business Partner",
            "Geschäftspartner",
            "BusinessPartner",
            required=True,
        ),
        key("partner_role", "PARTNERROLE", "Partner Role", "BusinessPartnerRole"),
        text(
            "partner_name",
            "NAME_ORG1",
            "COMPANYNAME",
            "Company Name",
            "Name of Organization",
            "OrganizationBPName1",
            "BusinessPartnerFullName",
            required=True,
        ),
        key("legal_form", "LEGAL_ENTY", "LEGALFORM", "Legal Form", "Rechtsform", "LegalForm"),
        text("email", "SMTP_ADDR", "EMAILADDRESS", "E-Mail Address", "EmailAddress"),
        text("phone", "TEL_NUMBER", "PHONENUMBER", "Telephone", "PhoneNumber"),
        text("fax", "FAX_NUMBER", "FAXNUMBER", "Fax", "FaxNumber"),
        text("web_address", "URI", "WEBADDRESS", "Web Address", "WebsiteURL"),
        key("address_id", "ADDRNUMBER", "ADDRESSES.ADDRESSID", "Address Number", "AddressID"),
        key("currency", "WAERS", "CURRENCY", "Currency"),
        key("created_by", "CRUSR", "HISTORY.CREATEDBY.EMPLOYEEID", "Created By", "CreatedByUser"),
        day("created_on", "CRDAT", "HISTORY.CREATEDAT", "Created On", "CreationDate"),
        key(
            "changed_by",
            "CHUSR",
            "HISTORY.CHANGEDBY.EMPLOYEEID",
            "Changed By",
            "LastChangedByUser",
        ),
        day("changed_on", "CHDAT", "HISTORY.CHANGEDAT", "Changed On", "LastChangeDate"),
    ),
    "business partners: customers and suppliers (BUT000 with address, EPM partners)",
)

TEXTS = EntitySpec(
    "sap/texts",
    (
        key("text_id", "TEXTID", "Text ID", "TextID", required=True),
        key("language", "LANGUAGE", "SPRAS", "LANGU", "Language", "Sprache", required=True),
        key("iso_language", "ISOLANGUAGE", "LAISO", "ISO Language"),
        text("text", "TEXT", "Text", required=True),
    ),
    "language-dependent texts by text id, which other records point to (EPM texts)",
)

TABULAR_SPECS = (
    MATERIAL_MASTER,
    MATERIAL_TEXTS,
    BATCH_NOTES,
    PRODUCTION_ORDERS,
    BATCHES,
    BATCH_YIELDS,
    STOCK,
    WORK_CENTERS,
    PRODUCTION_VERSIONS,
    CHANGEOVERS,
    GOODS_MOVEMENTS,
    SALES_ORDERS,
    SALES_ORDER_ITEMS,
    PRODUCTION_ORDER_ITEMS,
    PRODUCTION_ORDER_COMPONENTS,
    PRODUCTION_ORDER_OPERATIONS,
    PRODUCTION_ORDER_STATUS,
    BOM_HEADERS,
    BOM_ITEMS,
    MATERIAL_PLANT,
    MATERIAL_MRP_AREAS,
    MATERIAL_QUALITY,
    BUSINESS_PARTNERS,
    TEXTS,
)
