"""The served web application, for the end-to-end tests."""

from tests.e2e.web import served  # noqa: F401 (a fixture)
