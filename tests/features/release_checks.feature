Feature: Released batches are checked against their LIMS results
  A batch may only be released when its release-relevant results meet their specification and
  no valid out-of-specification result stands against it. A release that breaks this is a GMP
  deviation, whatever is built from it.

  @URS-007
  Scenario: The sample plant's released batches meet their specifications
    Given the sample plant has been materialized
    Then the check "curated/batches:released_batches_meet_specification" passed
    And the check "curated/batches:released_batches_have_no_valid_oos" passed
    And the check "curated/batches:released_batches_have_results" passed

  @URS-007 @negative
  Scenario: A released batch out of specification, and an OOS invalidated without reason, are named
    Given the broken landing zone has been materialized
    Then the check "curated/batches:released_batches_meet_specification" names batch "0000104601" among its failing rows
    And the check "curated/batches:released_batches_have_no_valid_oos" names batch "0000104633" among its failing rows
    And the check "curated/qc_results:invalidations_have_a_reason" names batch "0000104633" among its failing rows
    And planning was held back by the check "curated/batches:released_batches_meet_specification"
    And planning was held back by the check "curated/batches:released_batches_have_no_valid_oos"
