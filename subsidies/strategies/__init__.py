"""Pluggable program strategies, registered by code (as OpenG2P's and OpenSPP's program managers): a program
type (``subsidies.models.ProgramType``) names one of each kind —

- **eligibility**: reads the facts and the parameter row, records every figure and reason, refuses, or says
  what is missing (``social_insurance``, ``accident``, ``claims``);
- **amount**: the subsidy from the figures (``social_insurance``, ``accident``);
- **de-duplication**: the limits that count what was already granted (months used, the yearly cap, the same
  month twice) (``dedup``);
- **payment cycle**: the period a decision is about (``cycles``).

Strategies are pure functions of their inputs (facts gathered by ``subsidies.services.eligibility``, the
parameter row's figures): no database, so a table of cases tests each rule from the rule's own arithmetic.
"""

from . import accident, claims, cycles, dedup, operators, social_insurance  # noqa: F401  (registers the strategies)
from .registry import AMOUNT, CYCLE, DEDUP, ELIGIBILITY, Decision  # noqa: F401
from .run import evaluate  # noqa: F401
