Feature: Row-level lineage from a schedule line to the source file
  An auditor picks a line of a published schedule and follows it back: to the production
  order and the other curated rows that placed it, to the raw rows they were built from, and
  to the source files with their SHA-256.

  @URS-005
  Scenario: A scheduled order of the sample plant is traced back to its SAP files
    Given the sample plant has been materialized
    When an auditor asks for the lineage of the first order on the plant's published schedule
    Then the command succeeds
    And the lineage shows the schedule line with its line, start and end
    And the lineage shows the curated production order, product, line and rate that placed it
    And every source file in the lineage is shown with the SHA-256 of the bytes in the landing zone
    And every raw row in the lineage is shown with its file and row number

  @URS-005
  Scenario: Every curated row of the sample plant names raw rows that exist
    Given the sample plant has been materialized
    Then every curated row built from landed files names at least one raw row
    And every raw row a curated row names is in the raw table with its loaded file

  @URS-005 @negative
  Scenario: The lineage of an order that is on no published schedule is refused
    Given the sample plant has been materialized
    When an auditor asks for the lineage of order "000009999999" of plant "0100"
    Then the command exits with status 1
    And the message says the order is not in the latest published schedule of plant "0100"
