"""The review web application: analysts approve, edit or reject each summary of a day beside its
article; viewers read. A FastAPI app with server-rendered Jinja2 pages and plain forms (no build
step), served by `policywatch serve` and mounted in the Airflow UI by policywatch_airflow/plugin.py,
behind its own login in both places.

Its modules, by concern: :mod:`review.settings` (POLICYWATCH_REVIEW_*), :mod:`review.passwords`
(argon2 hashes through pwdlib), :mod:`review.security` (the signed session, CSRF tokens, the login
rate limit), :mod:`review.queue` (a day's summaries, filtered and paged), :mod:`review.decisions`
(approve, edit through the faithfulness guard, reject) and :mod:`review.app` (the routes).

Layer: above the stages (it reads storage, config, summarizer's guard and digest's themes), below
policywatch (the CLI serves it) and policywatch_airflow (the plugin mounts it).
"""

from review.app import create_app
from review.passwords import hash_password, verify_password
from review.settings import ROLES, ReviewSettings, review_settings

__all__ = ["ROLES", "ReviewSettings", "create_app", "hash_password", "review_settings", "verify_password"]
