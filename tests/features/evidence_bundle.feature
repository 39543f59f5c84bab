Feature: An evidence bundle for the quality system
  One command gathers what an auditor files about a release: the test results, the
  traceability report, the check history and the stewards' decisions, the configuration with
  secrets masked, the lock file's hash and the code version, with a manifest of SHA-256 hashes.

  @URS-021
  Scenario: The bundle holds every part, each with its SHA-256 in the manifest
    Given the sample plant has been materialized
    And a test run's JUnit XML and traceability report in a reports folder
    When the evidence bundle is written for the sample plant
    Then the command succeeds
    And the manifest lists every other file of the bundle with the SHA-256 of its content
    And the bundle holds the JUnit XML and the traceability report as they were
    And the check history holds every check evaluation of the sample plant's runs
    And the manifest names the code version and the SHA-256 of "uv.lock"

  @URS-021 @postgres
  Scenario: The warehouse password appears nowhere in the bundle
    Given the sample plant has been materialized
    And an empty warehouse on PostgreSQL whose URL holds its password
    When the evidence bundle is written for the sample plant's instance and that warehouse
    Then the command succeeds
    And the bundle's settings name the warehouse with its password masked
    And the password appears nowhere in the bundle
