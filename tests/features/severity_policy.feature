Feature: Severity follows the written policy
  A check never picks its own severity: it names its family, and the family decides whether a
  failure is an ERROR and whether it blocks what is built downstream. The policy is written in
  docs/quality-policy.md, and the code must say the same.

  @URS-012
  Scenario: Every check's severity and blocking come from its family's policy
    Given the checks of the platform's definitions
    Then every check names a family of the severity policy
    And every check blocks exactly when its family's policy says so
    And the policy table in "docs/quality-policy.md" is the policy in code

  @URS-012
  Scenario: Failed checks report the severity of their family
    Given the broken landing zone has been materialized
    Then every failed check reported its family's severity

  @URS-012 @negative
  Scenario: A check family outside the policy is refused
    When the policy is asked for the check family "gut_feeling"
    Then it is refused with a message that lists the families allowed
