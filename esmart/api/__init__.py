"""The API kernel every app builds on: wire format, authentication, tenancy, errors, routing."""
