Feature: Data stewards decide on failed checks
  A data steward may decide instead of fixing the data: accept the latest failed evaluation of
  a check, with a reason, or reject it. An accepted failure lets planning go ahead on exactly
  the data that evaluation judged; a rejected one keeps the hold.

  Background:
    Given a small plant "0100" whose batch table releases batch "B2" although a valid OOS result stands

  @URS-014
  Scenario: A steward accepts a failed release check and the plant is planned on that data
    Given the check "curated/batches:released_batches_have_no_valid_oos" has run and failed
    When a data steward "qa.steward" accepts "curated/batches:released_batches_have_no_valid_oos" with the reason "OOS traced to a mis-set column oven, INV-2027-004"
    And plant "0100" is planned in a later run
    Then the command succeeds
    And the decision is recorded with the steward, the reason, the evaluation it decided on and the data that evaluation judged
    And the plant's problem and schedule are materialized in that run

  @URS-014 @negative
  Scenario: A rejected failure keeps the plant held back
    Given the check "curated/batches:released_batches_have_no_valid_oos" has run and failed
    When a data steward "qa.steward" rejects "curated/batches:released_batches_have_no_valid_oos" with the reason "release not justified, CAPA-2027-011"
    And plant "0100" is planned in a later run
    Then the command succeeds
    And nothing is materialized in that run
    And the run says the failure was rejected by "qa.steward"

  @URS-014 @negative
  Scenario: A check that passed cannot be accepted
    Given the batch table is corrected so that no released batch has a valid OOS result
    And the check "curated/batches:released_batches_have_no_valid_oos" has run and passed
    When a data steward "qa.steward" accepts "curated/batches:released_batches_have_no_valid_oos" with the reason "nothing to decide"
    Then the command exits with status 1
    And its message says the latest evaluation of "curated/batches:released_batches_have_no_valid_oos" passed
    And no decision is recorded
