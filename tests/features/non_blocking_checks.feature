Feature: Findings that inform without stopping the rest
  Some failures leave rows behind that someone must act on while everything built from the
  other rows stays right (coverage, an ERROR that does not block); others are worth a look and
  wrong nothing (completeness, plausibility, open review, trend: a WARN).

  @URS-010
  Scenario: QC results of a batch SAP does not know are an ERROR that holds nothing back
    Given the broken landing zone has been materialized
    Then the check "curated/qc_results:batch_is_known" failed as ERROR
    And the check "curated/qc_results:batch_is_known" names batch "0000104609" among its failing rows
    And planning was not held back by the check "curated/qc_results:batch_is_known"

  @URS-011
  Scenario: Rejected rows are a warning that holds nothing back
    Given the broken landing zone has been materialized
    Then the check "raw/sap/stock:rejected_rows_are_rare" failed as WARN
    And no failed WARN check held planning back
