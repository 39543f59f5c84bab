Feature: Data-integrity checks block planning when they fail
  Each curated table is checked for its schema contract, its required fields, unique business
  keys and the references between tables. A failure makes what is built from the table wrong,
  so it is an ERROR that names the failing rows and holds planning back.

  @URS-006
  Scenario: On the sample plant every integrity check passes, each an ERROR that would block
    Given the sample plant has been materialized
    Then every check of the families "schema_contract, required_field, unique_key, referential_integrity" passed
    And each of those checks is reported as an ERROR that blocks
    And the plant was planned

  @URS-006 @negative
  Scenario: A duplicated key and orphaned references fail and hold planning back
    Given the broken landing zone has been materialized
    Then the check "curated/products:material_is_unique" failed as ERROR
    And the check "curated/production_orders:material_is_a_known_product" names order "000001002161" among its failing rows
    And the check "curated/changeovers:line_is_known" names work_center "FLA-03" among its failing rows
    And planning was held back by the check "curated/products:material_is_unique"
    And planning was held back by the check "curated/production_orders:material_is_a_known_product"
