"""The conformance cases: one module per spec area, each case marked with the clause ids it checks."""
