Feature: Customer orders from Outlook mail become demand lines
  Customers order by e-mail, the order lines in the body or an attached sheet. Each line keeps
  the message it came from; a mail is loaded once, whatever its file is called.

  @URS-003
  Scenario: The sample's order mails become demand lines that name their message
    Given the sample plant has been materialized
    Then every file under "outlook/" is loaded and its rows read equal its rows loaded plus rejected
    And every curated demand line names its message and raw rows of "outlook/order_lines"
    And the check "raw/outlook/messages:every_mail_yields_lines" passed

  @URS-003 @negative
  Scenario: A mail saved again under another name is not loaded twice
    Given a landing zone holding the sample's mail "outlook/20261230_order_ACME.eml" and the same mail saved again as "outlook/saved again.eml"
    When the mail of that landing zone is materialized
    Then "outlook/saved again.eml" is recorded as a duplicate that names "outlook/20261230_order_ACME.eml"
    And the order lines of the mail are loaded once
