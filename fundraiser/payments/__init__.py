"""Stripe: the only package that imports `stripe`, and in it only gateway.py does.

gateway.py   the calls we make to Stripe (real, or the localstripe stand-in), and the
             check of a webhook's signature
webhooks.py  POST /stripe/webhook: verify, record once, apply
shapes.py    the fields we read from each event, for events of another API version
handlers.py  Stripe events (plain dicts) to donation transitions
refunds.py   refunds an admin asks for
sync.py      `flask stripe-sync`: repair what the webhooks missed (cli.py)
stale.py     `flask donations abandon-stale`: cancel gifts nobody paid within a day (cli.py)

Every Stripe call is typed by the SDK's own `stripe.params`; `make typecheck` (mypy, strict
here) refuses one the pinned API version does not declare.
"""
