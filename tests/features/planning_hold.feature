Feature: A failed blocking check holds planning back in later runs too
  Inside one run Dagster skips what lies downstream of a failed blocking check. A plant is
  planned in a run of its own, so its planning assets look the latest check results up
  themselves and refuse to build on data a blocking check failed.

  @URS-013 @negative
  Scenario: A duplicated order holds the plant back in a later run
    Given a small plant "0100" whose production orders list order "000000001001" twice
    And the check "curated/production_orders:order_is_unique" has run and failed
    When plant "0100" is planned in a later run
    Then nothing is materialized in that run
    And the run says the problem of plant "0100" is held back by "curated/production_orders:order_is_unique"
    And the run names the command that would accept the failure

  @URS-013
  Scenario: Once the data are corrected and checked again, the plant is planned
    Given a small plant "0100" whose production orders list order "000000001001" twice
    And the check "curated/production_orders:order_is_unique" has run and failed
    When the duplicate order is removed
    And the check "curated/production_orders:order_is_unique" runs again
    And plant "0100" is planned in a later run
    Then the plant's problem and schedule are materialized in that run
