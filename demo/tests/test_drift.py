"""The drift's walk: seeded, and a replay leaves the estate exactly where the steps left it."""

import pytest

from demo import drift


class Estate:
    endpoint_url = "http://moto.invalid"

    def __init__(self):
        self.on = set()
        self.made = {}  # switch -> the seed it was last turned on with


@pytest.fixture
def switches(monkeypatch):
    """Three switches over a fake estate; the seed of each flip is remembered."""
    seeds = []
    monkeypatch.setattr(drift, "seed_ids", lambda url, text: seeds.append(text))

    def switch(index):
        def on(estate):
            estate.on.add(index)
            estate.made[index] = seeds[-1]

        return drift.Switch(f"{index} on", f"{index} off", on, lambda estate: estate.on.discard(index))

    monkeypatch.setattr(drift, "SWITCHES", tuple(switch(index) for index in range(3)))


def test_walk_is_seeded_and_extends_itself():
    assert drift.walk(30) == drift.walk(30)
    assert drift.walk(30)[:12] == drift.walk(12)
    assert drift.walk(30, seed=1) != drift.walk(30)
    assert set(drift.walk(60)) == set(range(len(drift.SWITCHES)))  # every switch gets its turn


@pytest.mark.usefixtures("switches")
def test_a_step_flips_one_switch_on_then_off_again():
    estate = Estate()
    first = drift.walk(1)[0]

    assert drift.step(estate, 0) == f"{first} on"
    assert estate.on == {first}
    taken = 1 + drift.walk(40)[1:].index(first)  # the step that next picks the same switch
    for step in range(1, taken + 1):
        drift.step(estate, step)
    assert first not in estate.on


@pytest.mark.usefixtures("switches")
@pytest.mark.parametrize("taken", [0, 1, 7, 25])
def test_replay_leaves_the_estate_as_the_steps_did_with_the_same_seeds(taken):
    walked, replayed = Estate(), Estate()
    for step in range(taken):
        drift.step(walked, step)

    drift.replay(replayed, taken)

    assert replayed.on == walked.on
    assert {index: replayed.made[index] for index in replayed.on} == {index: walked.made[index] for index in walked.on}


@pytest.mark.usefixtures("switches")
def test_drifter_counts_its_steps_in_the_journal(tmp_path):
    journal = tmp_path / "drift-steps"
    journal.write_text("4\n")
    lines = []

    def log(line):
        lines.append(line)
        if len(lines) == 3:
            drifter.stop()

    drifter = drift.Drifter(Estate(), journal, 0, log)
    drifter.run()  # in this thread: returns once stopped

    assert drift.steps_taken(journal) == 7
    assert all(line.startswith("drift: ") for line in lines)


def test_a_missing_or_garbled_journal_means_no_steps(tmp_path):
    assert drift.steps_taken(tmp_path / "absent") == 0
    (tmp_path / "garbled").write_text("many\n")
    assert drift.steps_taken(tmp_path / "garbled") == 0
