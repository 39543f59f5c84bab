Feature: A schedule is solved only on fresh inputs
  The extracts a plant's schedule is built from must be recent at the plan time: production
  orders within 24 hours, master data within a week. A stale input holds the solve back.

  @URS-009
  Scenario: The sample plant's inputs are one snapshot and fresh
    Given the sample plant has been materialized
    Then the check "planning/scheduling_problem[0100]:inputs_are_fresh" passed
    And the plant was planned

  @URS-009 @negative
  Scenario: Production orders older than their limit hold the schedule back
    Given a copy of the sample plant's warehouse
    When plant "0100" is planned with the plan time "2027-01-08T12:00"
    Then the check "inputs_are_fresh" failed as ERROR in that run
    And its failing rows name the input "sap/production_orders"
    And no schedule was materialized in that run
