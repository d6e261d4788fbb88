"""What the contest adds to lower packages: an accepted invitation to judge an edition links the judge record
made at invitation time to the new account (the directory cannot import the contest, one floor up)."""

from __future__ import annotations

from duijie.contest.domain.judge_setup import link_account
from duijie.directory.invitations import ACCEPTED

ACCEPTED.register(link_account, key="contest.link_judge")
