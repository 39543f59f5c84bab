"""Public regulator registers: FDA National Drug Code directory and Drugs@FDA data files."""
