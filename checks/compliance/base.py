"""The vocabulary of the compliance mapping: frameworks, their requirements, and the checks behind each.

The mapping is data reviewed like code: each framework module lists the requirements in scope of data
protection (encryption at rest and in transit, key management, logging and monitoring, authentication,
public access) with their public ids and titles, and for each the checks that give evidence for it.
A requirement with no check stays listed: it is shown as "not covered by Posture", never dropped.
"""

from dataclasses import dataclass

# The catalog areas (checks.catalog.base.Area values) whose checks may give evidence for a requirement
# on each topic. A requirement names its topics; a check of any other area may not be mapped to it.
AT_REST = frozenset({"at_rest", "keys"})
KEYS = frozenset({"keys"})
IN_TRANSIT = frozenset({"in_transit"})
PUBLIC_ACCESS = frozenset({"access"})
LOGGING = frozenset({"logging"})
IDENTITY = frozenset({"identity"})
DATA_HANDLING = frozenset({"hygiene"})


@dataclass(frozen=True)
class Requirement:
    id: str  # the framework's public id, e.g. "4.2.1", "SC-28", "A.8.24", "CC6.1"
    title: str  # the framework's public title (or, where it has none, a short statement of the requirement)
    topics: frozenset  # the catalog areas it admits (a union of the sets above)
    checks: tuple = ()  # ids of the checks that give evidence for it; empty: not covered by Posture
    note: str = ""  # our own words: what the checks show of it, or why none does

    @property
    def covered(self):
        return bool(self.checks)

    def as_dict(self):
        return {"id": self.id, "title": self.title, "checks": list(self.checks), "note": self.note}


@dataclass(frozen=True)
class Framework:
    slug: str  # stable, used in URLs and on the command line (--framework)
    name: str
    source: str  # the public document the ids and titles come from
    requirements: tuple

    def requirement(self, requirement_id):
        return next(requirement for requirement in self.requirements if requirement.id == requirement_id)

    def as_dict(self):
        return {
            "slug": self.slug,
            "name": self.name,
            "source": self.source,
            "requirements": [requirement.as_dict() for requirement in self.requirements],
        }


def requirement(id, title, topics, *checks, note=""):
    """A requirement (a short spelling for the framework modules)."""
    return Requirement(id=id, title=title, topics=frozenset(topics), checks=tuple(checks), note=note)
