"""The minimal-stack contender: Django 5.2 + DRF + simplejwt and nothing of Stockyard's.

One endpoint, ``GET /auth/me/``, doing what Stockyard's does at its least: the JWT checked
(the user read: one SELECT), the user's groups read (one SELECT), a small body rendered.
The benchmarks serve it exactly as they serve Stockyard (same server, workers and pool) on
a database of its own, so "Stockyard / minimal" is what Stockyard's own code costs on top
of the stack it is built on.
"""
