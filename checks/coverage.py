"""What a scan could not read, in words a person can act on: its gaps (what made it partial), each with the
regions it struck and the checks that report ERROR for it, and the services that do not answer at all."""

from dataclasses import dataclass

from checks.catalog import CATALOG
from checks.inventory import CollectionError


@dataclass(frozen=True)
class Gap:
    """One API that could not be read, in one or more regions (or for some resources)."""

    service: str
    api: str
    code: str
    message: str
    regions: tuple
    resources: int  # how many of the errors concern one resource rather than the whole API
    checks: tuple  # the checks that report ERROR for it


@dataclass(frozen=True)
class NotServed:
    """A service that does not answer here at all (retired, like AWS Proton): expected, not a gap."""

    service: str
    regions: tuple
    message: str


def checks_needing(error):
    """Ids of the checks that report ERROR where `error` struck, as the evaluator decides: a whole API's
    failure errs every check that reads it; one resource's, those that cannot judge without it (required)."""
    return tuple(
        check.id for check in CATALOG.values() if error.covers(check.required if error.resource_uid else check.needs)
    )


def grouped(errors, key):
    groups = {}
    for error in errors:
        groups.setdefault(key(error), []).append(error)
    return groups.values()


def gaps(errors):
    """The gaps among `errors` (CollectionError or their stored dicts), one per API and error code."""
    errors = [error if isinstance(error, CollectionError) else CollectionError.from_dict(error) for error in errors]
    return [
        Gap(
            service=same[0].service,
            api=same[0].api,
            code=same[0].code,
            message=same[0].message,
            regions=tuple(sorted({error.region for error in same})),
            resources=sum(1 for error in same if error.resource_uid),
            checks=tuple(sorted({check_id for error in same for check_id in checks_needing(error)})),
        )
        for same in grouped([error for error in errors if error.is_gap], lambda error: (error.api, error.code))
    ]


def not_served(errors):
    """The services among `errors` that do not answer at all, one per service."""
    errors = [error if isinstance(error, CollectionError) else CollectionError.from_dict(error) for error in errors]
    return [
        NotServed(same[0].service, tuple(sorted({error.region for error in same})), same[0].message)
        for same in grouped([error for error in errors if not error.is_gap], lambda error: error.service)
    ]
