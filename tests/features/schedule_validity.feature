Feature: Only a verified schedule is published
  Whatever found a plan (a dispatching rule, the search, CBC), an independent checker verifies
  it against every rule of the problem before it is published with its lines.

  @URS-016
  Scenario: The sample plant's schedule is verified before it is published
    Given the sample plant has been materialized
    Then the schedule of plant "0100" is verified by the independent checker
    And the published schedule of plant "0100" holds a line for every scheduled order
    And the check "planning/production_schedule[0100]:schedule_is_feasible" passed

  @URS-016 @negative
  Scenario: A stored schedule that breaks a rule fails the feasibility check
    Given a small plant "0100" that has been planned
    When its schedule is stored again with the second order of a line moved onto the first
    And the check "planning/production_schedule:schedule_is_feasible" runs for plant "0100"
    Then that check failed as ERROR
    And its failing rows name the rule "4.3 changeover after the line opens and after the previous order" and the moved order
