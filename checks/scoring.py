"""Scores: per account and area, passed / (passed + failed) weighted by severity. Pure."""

from dataclasses import dataclass

from checks.catalog.base import SEVERITY_WEIGHT, Area, Status


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    errors: int = 0
    weight_passed: int = 0
    weight_failed: int = 0

    def add(self, status, severity, count=1):
        weight = SEVERITY_WEIGHT.get(severity, 0) * count
        if status == Status.PASS:
            self.passed += count
            self.weight_passed += weight
        elif status == Status.FAIL:
            self.failed += count
            self.weight_failed += weight
        elif status == Status.ERROR:
            self.errors += count

    @property
    def score(self):
        """0–100, or None when nothing weighted was judged (ERROR counts against coverage, not score)."""
        total = self.weight_passed + self.weight_failed
        if not total:
            return None
        return round(100 * self.weight_passed / total, 1)


def tally_by_area(rows):
    """rows: (area, status, severity, count) → {area: Tally} for every area."""
    tallies = {area.value: Tally() for area in Area}
    for area, status, severity, count in rows:
        tallies.setdefault(area, Tally()).add(status, severity, count)
    return tallies
