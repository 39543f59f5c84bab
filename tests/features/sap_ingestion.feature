Feature: SAP extracts are loaded as raw rows
  SAP exports land in the landing zone as flat files. The raw layer recognises each file by
  its content, keeps every value as the text the file holds, and records where each row came
  from: the file, its SHA-256, the row number, when it was loaded and by which run.

  @URS-001
  Scenario: Every SAP extract of the sample plant is loaded with its lineage
    Given the sample plant has been materialized
    Then every file under "sap/" is loaded and its rows read equal its rows loaded plus rejected
    And every raw row of "sap/production_orders" names its file, the file's SHA-256, its row number, its load time and its run
    And the raw row of production order "000001002126" is line 36 of "sap/AFKO_production_orders_20270104.txt" with every value as the file writes it

  @URS-001 @negative
  Scenario: An SAP row that cannot be read is rejected with its reason and the rest of the file loads
    Given the broken landing zone has been materialized
    Then line 3 of "sap/MCHB_batch_stock_20270104.csv" is rejected at column "CLABS" with the value "1.25O,000" and the reason names the number format
    And the other rows of "sap/MCHB_batch_stock_20270104.csv" are loaded
    And the check "raw/sap/stock:rows_reconcile" passed
