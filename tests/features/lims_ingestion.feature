Feature: LIMS exports become raw rows and typed QC results
  The LIMS exports samples, results, specifications and batch dispositions. Results are kept
  as the LIMS wrote them (a censored "<0.05" stays text) and reach the curated QC results with
  a verdict against their specification.

  @URS-002
  Scenario: LIMS results keep their text and reach the QC results with a verdict
    Given the sample plant has been materialized
    Then every file under "lims/" is loaded and its rows read equal its rows loaded plus rejected
    And every curated QC result keeps the result text of the raw LIMS row it names
    And censored results keep their qualifier beside the text the LIMS wrote
    And every curated QC result has a specification verdict
    And the check "curated/qc_results:raw_rows_are_accounted_for" passed

  @URS-002 @negative
  Scenario: A LIMS result with an impossible date is rejected with its reason while the rest loads
    Given a landing zone holding the sample's LIMS results with line 4 dated "2026-13-45"
    When the LIMS results of that landing zone are materialized
    Then the results file is loaded with 2 rows and 1 rejected row
    And line 4 is rejected at column "Result Date" with the value "2026-13-45" and the reason names the calendar
    And the check "raw/lims/results:rows_reconcile" passed in that run
