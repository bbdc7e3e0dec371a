"""The ingest tests use the shared PKI, corpus and veraPDF fixtures of tests/conftest.py."""
