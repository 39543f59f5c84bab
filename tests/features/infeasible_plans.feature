Feature: An infeasible plan is explained, not published
  When the orders cannot all be planned, the planner needs to know why: which orders, lines
  and hours clash. Nothing is published; when hard deadlines are the cause, the least-bad plan
  is shown beside the INFEASIBLE status, marked as not a valid schedule.

  @URS-018 @negative
  Scenario: Deadlines that cannot all be met give a least-bad plan that is not published
    Given a stored problem for plant "0100" of three 5-hour orders on one line, all due by a hard deadline after 6 hours
    When the schedule of plant "0100" is solved
    Then the schedule is INFEASIBLE and not verified
    And no schedule line is published
    And the least-bad plan misses 2 hard deadlines and is marked as not a valid schedule
    And the check "schedule_is_feasible" failed in that run, saying the least-bad plan misses 2 hard deadlines

  @URS-018 @negative
  Scenario: An order that fits no line is named with its line and hours
    Given a stored problem for plant "0100" with an order of 60 hours on a line open for 50 hours
    When the schedule of plant "0100" is solved
    Then the schedule is INFEASIBLE and not verified
    And its message names the order and the line
    And no schedule line is published
