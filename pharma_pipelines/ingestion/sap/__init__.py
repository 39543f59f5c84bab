"""SAP: flat-file and S/4HANA API kinds, headerless T006, API JSON envelopes."""
