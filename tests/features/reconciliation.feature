Feature: Counts reconcile between layers and sources
  Every raw row is accounted for downstream (in a curated row, a curation issue, or recorded
  as superseded or out of scope), and open production covers the demand customers e-mailed.

  @URS-008
  Scenario: On the sample plant every raw row is accounted for and production covers demand
    Given the sample plant has been materialized
    Then every check "raw_rows_are_accounted_for" passed with 0 rows unaccounted
    And the check "curated/production_orders:orders_cover_demand" passed

  @URS-008 @negative
  Scenario: Demand that no production covers fails and holds planning back
    Given the broken landing zone has been materialized
    Then the check "curated/production_orders:orders_cover_demand" names material "000000000000077777" among its failing rows
    And the check "curated/production_orders:orders_cover_demand" failed as ERROR
    And planning was held back by the check "curated/production_orders:orders_cover_demand"
