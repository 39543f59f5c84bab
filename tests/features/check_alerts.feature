Feature: Stewards are told of each failed ERROR check, once
  A failed ERROR check must reach the people who act on it without anyone watching the UI.
  The check alert sensor mails it and posts it to a webhook, once per failed evaluation, and
  carries on from its stored cursor, also after a receiver was down.

  @URS-023
  Scenario: Each failed ERROR check is mailed and posted once, and no warning is
    Given the broken landing zone has been materialized
    And a mail server and a webhook receiver on this machine
    When the check alert sensor ticks 2 times, each from the cursor the tick before stored
    Then each failed ERROR check of the run was mailed once and posted once
    And no failed WARN check was announced
    And the mail about "curated/products:material_is_unique" says what was measured and expected, the run and where the check is in the UI

  @URS-023 @negative
  Scenario: Alerts a receiver refused arrive once it is back, each once
    Given the broken landing zone has been materialized
    And a mail server that refuses the next message and a webhook receiver that fails its third call
    When the check alert sensor ticks 3 times, each from the cursor the tick before stored
    Then the first tick delivered no mail and says which receivers refused and why
    And each failed ERROR check of the run was mailed once and posted once
