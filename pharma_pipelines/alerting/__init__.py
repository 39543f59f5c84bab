"""Telling people about data quality: alerts on failed checks and the steward's daily digest.

Plain Python, no Dagster: the messages and the digest are composed from plain records, and
the delivery channels (SMTP, an HTTP webhook) are small adapters over the standard library.
The Dagster layer reads check evaluations from the instance and hands them over as
``CheckFailure`` records.
"""
