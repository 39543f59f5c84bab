Feature: Records are stored in the warehouse database
  The warehouse holds the raw, curated, planning and stewardship records: a SQLite file when
  the platform runs embedded, PostgreSQL in production, with the same schema on both. A
  warehouse whose schema is older than the code is refused before anything is written.

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
  Scenario: A warehouse created by an earlier version is refused before anything is written
    Given a SQLite warehouse whose table "loaded_file" lacks the column "notes"
    When the sample plant is materialized into it with the command line
    Then the command exits with status 2
    And the message says the warehouse lacks "notes" in "loaded_file"
    And nothing was loaded into it
