Feature: Nothing landed is lost
  Every file in the landing zone ends up loaded, quarantined with a reason, or recognised as a
  copy; per file, the rows read equal the rows loaded plus the rows rejected, and each rejected
  row is kept with its file, line, column, value and reason.

  @URS-004
  Scenario: Every file of the sample plant is accounted for
    Given the sample plant has been materialized
    Then every file in the landing zone is accounted for, and each was loaded
    And for every file the rows read equal its rows loaded plus rejected
    And every check "rows_reconcile" passed

  @URS-004 @negative
  Scenario: An unreadable file is quarantined and unreadable rows are kept with their reasons
    Given the broken landing zone has been materialized
    Then every file in the landing zone is accounted for
    And "sap/ZQM_notifications_20270104.txt" is quarantined with a reason that says no extract kind matches
    And every rejected row is kept with its file, line, column, rule and reason
    And for every file the rows read equal its rows loaded plus rejected
    And the check "landing/file_inventory:every_file_has_a_known_kind" names relative_path "sap/ZQM_notifications_20270104.txt" among its failing rows
