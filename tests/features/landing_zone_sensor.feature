Feature: New extracts are loaded exactly once, without anyone clicking
  The landing-zone sensor looks at the landing zone and requests a run of the matching raw
  assets for each new or changed file version. Its cursor records what it has seen (content,
  not the clock), and a file version's rows load once however often its run is repeated.

  @URS-019
  Scenario: A new extract is requested once and loaded once
    Given a landing zone holding the sample's work centers extract
    When the sensor ticks
    Then it requests one run of the inventory and "raw/sap/work_centers", keyed by the file and its SHA-256
    When that run is executed
    Then the extract's rows are loaded
    When the sensor ticks again with its cursor
    Then it requests no run and says why
    When the same run is executed once more
    Then the extract's rows are still loaded once

  @URS-019
  Scenario: An overwritten extract and a late file with an old timestamp are both picked up
    Given a landing zone holding the sample's work centers extract
    And the sensor has ticked
    When the extract is overwritten with one more work center
    And a late extract with a file time in 1970 lands
    And the sensor ticks again with its cursor
    Then it requests one run for each of the two files

  @URS-019 @negative
  Scenario: A file still being written is not picked up
    Given a landing zone holding only a partly written file "sap/CRHD_work_centers.csv.part"
    When the sensor ticks
    Then it requests no run and says why
