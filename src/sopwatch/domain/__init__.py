"""Pure domain types: enums, frozen records, status machines, errors. No I/O here."""
