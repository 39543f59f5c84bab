Feature: A solve ends within its time limit
  CBC can overrun its own limit, so the solve runs in a child process that is stopped at the
  limit plus a short grace, keeping the best checked plan it reported.

  @URS-017
  Scenario: The sample plant's solve stayed within its limit
    Given the sample plant has been materialized
    Then the schedule of plant "0100" reports the time limit it ran under
    And its solve took no longer than the limit plus the grace and a second to check the plan
    And the schedule of plant "0100" is verified by the independent checker

  @URS-017
  Scenario: The solve command returns within a one-second limit with a checked plan
    Given the sample plant's scheduling problem written as an instance file
    When the solve command runs on it with a time limit of 1 second
    Then the command succeeds within the limit plus the grace and a few seconds to start
    And it reports a solve time within the limit plus the grace and a second to check the plan
    And it reports the plan as feasible by the checker
