Feature: Stewards' decisions are an append-only audit trail
  Each decision is kept with who, when, why, the evaluation and the data it was about, and the
  SHA-256 of its content. The database itself refuses to change or delete a decision, and a
  record changed behind its back is caught by a blocking check.

  Background:
    Given a small plant "0100" whose batch table releases batch "B2" although a valid OOS result stands
    And the check "curated/batches:released_batches_have_no_valid_oos" has run and failed
    And a data steward "qa.steward" has accepted it with the reason "OOS traced to a mis-set column oven, INV-2027-004"

  @URS-015
  Scenario: A decision is recorded with its content hash and found intact
    Then the recorded decision holds the steward, the time in UTC, the reason, the evaluation and the data it was about
    And its SHA-256 matches its content
    And the check "quality/check_dispositions:records_are_intact" passed in the decision's run

  @URS-015 @negative
  Scenario: The database refuses to change or delete a decision
    When someone tries to change the decision's reason directly in the database
    And someone tries to delete the decision directly in the database
    Then both are refused by the database
    And the decision reads back unchanged

  @URS-015 @negative
  Scenario: A decision altered behind the triggers' back is caught
    When someone drops the table's update trigger, changes the decision to REJECT and restores the trigger
    And the check "quality/check_dispositions:records_are_intact" runs
    Then that check failed as ERROR
    And its failing rows name the altered decision
