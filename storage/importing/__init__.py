"""Import of the canonical CSV tables (enheter, ansatte, fravær): read, validate, write."""
