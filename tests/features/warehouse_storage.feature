Feature: Records are stored in the warehouse database
  The warehouse holds the raw, curated, planning and stewardship records: a SQLite file when
  the platform runs embedded, PostgreSQL in production, with the same schema on both (Alembic
  revisions). An embedded SQLite warehouse migrates itself; a server warehouse at an older
  revision, or any warehouse whose audit table lost its triggers, is refused before anything
  is written.

  @URS-020
  Scenario Outline: Raw rows and a steward's decision are kept in the warehouse on <database>
    Given an empty warehouse on <database>
    When the sample's work centers extract is materialized into it
    Then its raw rows read back with their file and the file's SHA-256
    And a steward's decision written to it reads back intact with its SHA-256

    Examples:
      | database |
      | SQLite   |

    @postgres
    Examples:
      | database   |
      | PostgreSQL |

  @URS-020 @negative
  Scenario: A warehouse whose audit table lost its triggers is refused before anything is written
    Given a SQLite warehouse whose append-only table "check_disposition" lost its triggers
    When the sample plant is materialized into it with the command line
    Then the command exits with status 2
    And the message says "check_disposition" is without its triggers
    And nothing was loaded into it

  @URS-020 @negative @postgres
  Scenario: A PostgreSQL warehouse at an older revision is refused with the command that migrates it
    Given a PostgreSQL warehouse migrated only to revision "0001"
    When the sample plant is materialized into it with the command line
    Then the command exits with status 2
    And the message names the command "pharma-pipelines migrate"
    And nothing was loaded into it
