"""Who sees which links on the portal's pages: each is the rule of the page the link leads to, named here once so
that the templates ask `can(actor, rules.<name>, obj)` instead of looking at roles."""

from __future__ import annotations

from duijie.core.permissions import Predicate, organises_event
from duijie.directory.permissions import can_edit_organisation as directory_can_edit_organisation
from duijie.policies.permissions import can_see_decisions

# The event page links to the event's matchmaking page for those who organise this event (an organiser grant
# scoped to another event does not count).
can_open_matchmaking: Predicate = organises_event

# The organisation page offers the policy self-check to whoever may see the organisation's eligibility decisions.
can_check_policies: Predicate = can_see_decisions

# The organisation page links to its edit form for an organiser or a member of that organisation.
can_edit_organisation: Predicate = directory_can_edit_organisation
