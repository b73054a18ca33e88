"""Fixtures of the payments tests: a recording HTTP stand-in for Stripe's API."""

from tests.recording_stripe import recording_stripe  # noqa: F401
