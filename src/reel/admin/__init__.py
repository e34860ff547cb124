"""Applications and operator accounts, shared by the command line and the operator API."""
