"""The saved states of the study and the tables of how the verdicts moved (linace.study.history)."""

import json
import math

import pytest

from linace.study import datasets, history


def _summary(verdicts, tailored_steps=None):
    """A study summary (claims.study_summary) with the given {claim id: verdict} and, optionally, the
    successive-K distances of the standard basis on the tailored set."""
    summary = {
        "verdicts": [{"claim": f"{cid}. The claim.", "verdict": v} for cid, v in verdicts.items()],
        "convergence": {},
    }
    if tailored_steps is not None:
        summary["convergence"]["standard, clusters+dimers"] = [
            {"body_order": K, "distance_to_previous_K_eV": step} for K, step in zip((2, 3, 4), tailored_steps)
        ]
    return summary


def _draws(rows):
    """A snapshot's ``draws``: {"<N>": [{claim, holds, partly, draws, verdict}]}."""
    return {
        str(size): [
            {"claim": cid, "holds": holds, "partly": 0, "draws": 10, "verdict": verdict}
            for cid, holds, verdict in entries
        ]
        for size, entries in rows.items()
    }


def test_every_committed_snapshot_is_a_listed_state_and_in_order():
    folder = history.history_dir()
    if not folder.is_dir():
        pytest.skip("committed history absent")
    assert sorted(p.stem for p in folder.glob("*.json")) == sorted(s.name for s in history.STATES)
    assert [s.name for s in history.STATES] == [
        "study_before_state_search",
        "study_before_cluster_search",
        "study_before_pool_growth",
        "study_before_weight_fix",
    ]
    assert (history.FIRST_REFERENCE, history.BEFORE_POOL_GROWTH, history.BEFORE_WEIGHT_FIX) == (
        "study_before_state_search",
        "study_before_pool_growth",
        "study_before_weight_fix",
    )
    snapshots = history.load_snapshots()
    assert list(snapshots) == [s.name for s in history.STATES]
    assert "summary" in snapshots[history.FIRST_REFERENCE] and "draws" in snapshots[history.BEFORE_WEIGHT_FIX]
    assert history.history_dir("Si") == datasets.element_dir("Si") / "history"


def test_a_state_is_found_by_name_and_an_unknown_name_is_an_error():
    assert history.state("study_before_pool_growth").title == "clusters searched"
    assert all(s.description and s.change.startswith("when ") for s in history.STATES)
    with pytest.raises(ValueError, match="no saved state 'study_before_lunch'"):
        history.state("study_before_lunch")


def test_only_saved_snapshots_are_loaded_in_the_order_of_the_states(tmp_path):
    for state in reversed(history.STATES[1:3]):
        (tmp_path / f"{state.name}.json").write_text(json.dumps({"description": state.name}))
    (tmp_path / "study_of_something_else.json").write_text("{}")
    loaded = history.load_snapshots(tmp_path)
    assert list(loaded) == ["study_before_cluster_search", "study_before_pool_growth"]
    assert loaded["study_before_pool_growth"] == {"description": "study_before_pool_growth"}
    assert history.load_snapshots(tmp_path / "none") == {}


def test_verdicts_of_a_summary_and_of_a_state_by_claim_id():
    summary = _summary({"1a": "partly", "v2c": "reproduced"})
    assert history.summary_verdicts(summary) == {"1a": "partly", "v2c": "reproduced"}
    assert history.summary_verdicts(None) == {} and history.summary_verdicts({}) == {}
    snapshots = {history.FIRST_REFERENCE: {"summary": summary}, history.BEFORE_POOL_GROWTH: {}}
    assert history.state_verdicts(snapshots, history.FIRST_REFERENCE) == {"1a": "partly", "v2c": "reproduced"}
    assert history.state_verdicts(snapshots, history.BEFORE_POOL_GROWTH) == {}  # saved, without a summary
    assert history.state_verdicts(snapshots, history.BEFORE_WEIGHT_FIX) == {}  # not saved


def test_the_verdict_history_has_a_column_per_state_and_the_changes_are_listed():
    names = [s.name for s in history.STATES]
    snapshots = {
        names[0]: {"summary": _summary({"1a": "partly", "2": "reproduced"})},
        names[1]: {"summary": _summary({"1a": "reproduced", "2": "reproduced"})},
        names[3]: {"summary": _summary({"1a": "reproduced", "2": "partly"})},
    }
    now = {"1a": "reproduced", "2": "partly"}
    table = history.verdict_history_markdown(snapshots, ("now (327 per training set)", now)).splitlines()
    assert table[0] == (
        "| claim | first reference | atom and dimers searched | clusters searched | sets grown "
        "| now (327 per training set) |"
    )
    assert table[2] == "| 1a | partly | reproduced | – | reproduced | **reproduced** |"
    assert table[3] == "| 2 | reproduced | reproduced | – | partly | **partly** |"
    changes = history.changes_markdown(snapshots, now).splitlines()
    # the change after the third state is not listed: the third state is not saved
    assert changes == [
        "* when the atom and the dimers were searched: 1 of 2 verdicts changed (1a: partly → reproduced)",
        "* when the fit's weights became 1/σ as documented: 0 of 2 verdicts changed",
    ]


def test_the_tailored_convergence_table_has_every_state_and_now():
    snapshots = {
        history.FIRST_REFERENCE: {
            "summary": _summary({"1a": "partly", "v2a": "reproduced", "v2c": "partly"}, [math.nan, 0.5, 0.123])
        }
    }
    now = _summary({"v2a": "not reproduced", "v2c": "reproduced"}, [math.nan, 0.2, 0.042])
    lines = history.tailored_convergence_markdown(snapshots, now).splitlines()
    assert lines[2] == "| first reference | 0.12 | v2a reproduced, v2c partly |"
    assert lines[3:6] == [
        "| atom and dimers searched | – | – |",
        "| clusters searched | – | – |",
        "| sets grown | – | – |",
    ]
    assert lines[6] == "| now | 0.04 | v2a not reproduced, v2c reproduced |"


def test_the_draws_before_and_after_the_last_two_changes():
    pool = {
        "draws": _draws({40: [("1b", 10, "reproduced")]}),
        "set_sizes": {"diverse": 81, "test": 49},
        "summary": _summary({"1b": "reproduced"}),
    }
    weights = {
        "draws": _draws({40: [("1b", 4, "depends on the draw")], 80: [("1b", 9, "reproduced")]}),
        "set_sizes": {"diverse": 327, "test": 152},
        "summary": _summary({"1b": "partly"}),
    }
    now = _draws({40: [("1b", 1, "not reproduced")], 80: [("1b", 9, "reproduced")]})
    snapshots = {history.BEFORE_POOL_GROWTH: pool, history.BEFORE_WEIGHT_FIX: weights}
    blocks = history.draws_history_markdown(snapshots, now, {"1b": "partly"}, (327, 152))
    assert len(blocks) == 3
    assert blocks[0].startswith(
        "**The training sets grew.** Before: training sets of 81 structures, a test set of 49; after: 327 and 152."
    )
    assert "1b at N = 40: reproduced → depends on the draw" in blocks[0]
    assert blocks[1].startswith("**The weights were corrected.**")
    assert "1b at N = 40: depends on the draw → not reproduced" in blocks[1]
    assert blocks[2] == "The weight correction changed 1 of the 2 verdicts over draws tested before and after."
    assert history.draws_history_markdown(snapshots, {}, {}, (327, 152)) == blocks[:1]  # no draws now
    assert history.draws_history_markdown({}, now, {}, (327, 152)) == []
