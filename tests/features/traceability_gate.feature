Feature: Every test run reports traceability and fails on lost coverage
  Each run of the test suite writes the traceability report: every requirement of the
  register, the scenarios tagged with it and their results, with the date and the commit. The
  run fails when a requirement lacks its passing scenarios or a scenario names an unknown one.

  @URS-022
  Scenario: A project whose requirements are all proven passes and gets its report
    Given a project under git with a register of a high-risk and a low-risk requirement
    And a feature with a passing scenario for each requirement and a passing negative one for the high-risk requirement
    When the project's tests run
    Then the run passes
    And the report in Markdown, HTML and JSON lists each requirement with its risk, scenarios and the result PASS
    And the report names the run's date and the project's commit

  @URS-022 @negative
  Scenario: A requirement that loses its only scenario fails the run
    Given a copy of this repository's features and register in which the scenario "Rejected rows are a warning that holds nothing back" has lost its tag "@URS-011"
    When the copy's tests are collected in a separate pytest process
    Then that pytest process fails
    And its only traceability problems are that the scenario names no requirement and "URS-011" has no scenario

  @URS-022 @negative
  Scenario: A scenario tagged with an unknown requirement fails the run
    Given a project under git with a register of a high-risk and a low-risk requirement
    And a feature with a passing scenario for each requirement and a passing negative one for the high-risk requirement
    And a passing scenario tagged "@URS-999"
    When the project's tests run
    Then the run fails although every test passed
    And the report names "@URS-999" as not in the register

  @URS-022
  Scenario: A run of part of the suite writes no verdict on coverage
    Given a project under git with a register of a high-risk and a low-risk requirement
    And a feature with a passing scenario for the high-risk requirement only
    When only the project's feature test module is run
    Then the run passes
    And the report says coverage was not judged because the run was partial

  @URS-022
  Scenario: Run by two pytest-xdist workers, the project gets the same report
    Given a project under git with a register of a high-risk and a low-risk requirement
    And a feature with a passing scenario for each requirement and a passing negative one for the high-risk requirement
    When the project's tests run in two pytest-xdist workers
    Then the run passes
    And the report in Markdown, HTML and JSON lists each requirement with its risk, scenarios and the result PASS

  @URS-022 @negative
  Scenario: Run by two pytest-xdist workers, an unknown requirement still fails the run
    Given a project under git with a register of a high-risk and a low-risk requirement
    And a feature with a passing scenario for each requirement and a passing negative one for the high-risk requirement
    And a passing scenario tagged "@URS-999"
    When the project's tests run in two pytest-xdist workers
    Then the run fails although every test passed
    And the report names "@URS-999" as not in the register
