"""Names and numbers of the study defined once: the training sets and their roles in
linace.study.datasets, the plans derived from them, the claim criteria in linace.study.claims.

The literal tuples below are the values every constant had before they were derived from one
definition (issue 30): the derivation must not change them."""

import ast
import importlib
from pathlib import Path

import pytest

from linace.study import claims, data_worlds, datasets, importer, records, report, resample, robustness, runs, sweep

STUDY = Path(datasets.__file__).resolve().parent
#: the groups structures are generated in (linace.study.structures, which datasets imports: it cannot
#: import datasets' names); each becomes the data set of its name
STRUCTURE_GROUPS = ("structures/__init__.py", ("isolated_atom", "dimers", "clusters", "pool"))


def test_set_names_and_roles_keep_their_values():
    assert datasets.BULK_SETS == ("narrow", "crystals", "diverse")
    assert datasets.MOLECULAR_SETS == ("dimers", "clusters")
    assert datasets.TAILORED_SET == "clusters+dimers" and datasets.COMBINED_SETS == ("clusters+dimers",)
    assert datasets.ATTRIBUTION_SETS == ("diverse", "clusters", "clusters+dimers")
    assert datasets.STUDY_SETS == ("dimers", "narrow", "crystals", "diverse", "clusters", "clusters+dimers")
    assert datasets.SET_ORDER == (
        "isolated_atom",
        "dimers",
        "clusters",
        "narrow",
        "crystals",
        "diverse",
        "test",
        "pool",
    )
    assert datasets.TRAINING_SETS == ("narrow", "crystals", "diverse", "dimers", "clusters")
    assert datasets.SPLIT_SETS == ("narrow", "crystals", "diverse", "test", "pool")


def test_plans_derived_from_the_names_keep_their_values():
    assert sweep.TRAINING_SETS == ("dimers", "narrow", "crystals", "diverse")
    assert sweep.DEFAULT_PLAN == {
        "standard": ("dimers", "narrow", "crystals", "diverse", "clusters", "clusters+dimers"),
        "pure": ("diverse", "clusters", "clusters+dimers"),
    }
    claim_runs = {
        "standard": ("narrow", "crystals", "diverse", "clusters+dimers"),
        "pure": ("diverse", "clusters+dimers"),
    }
    assert claims.CLAIM_PLAN == resample.DEFAULT_PLAN == robustness.PLAN == claim_runs
    assert data_worlds.CLAIM_IDS == ("1a", "1b", "2", "3", "v2a", "v2b", "v2c")


def test_every_module_uses_the_one_definition():
    assert claims.BULK_SETS is report.BULK_SETS is datasets.BULK_SETS
    assert claims.TAILORED_SET is datasets.TAILORED_SET and claims.ATTRIBUTION_SETS is datasets.ATTRIBUTION_SETS
    assert runs.COMBINED_SETS is datasets.COMBINED_SETS and importer.MOLECULAR_SETS is datasets.MOLECULAR_SETS
    assert importlib.import_module("linace.study.dft.export").SPLIT_SETS is datasets.SPLIT_SETS
    assert resample.DEFAULT_PLAN is robustness.PLAN is claims.CLAIM_PLAN
    assert claims.select is records.select  # chapters import select from claims


def _string_tuples(path: Path) -> list[tuple[int, tuple[str, ...]]]:
    """(line, values) of every tuple literal of strings only in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Tuple)
            and node.elts
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)
        ):
            found.append((node.lineno, tuple(e.value for e in node.elts)))
    return sorted(found)


def test_no_module_but_datasets_spells_out_the_training_sets():
    """A tuple literal naming two training sets or more in a module of linace.study other than
    datasets is a second definition. Not checked: the groups of structure generation and DFT
    labelling (:data:`STRUCTURE_GROUPS`, linace.study.dft), which are not training sets."""
    names = set(datasets.STUDY_SETS)
    offenders = []
    for path in sorted(STUDY.rglob("*.py")):
        where = path.relative_to(STUDY).as_posix()
        if where != "datasets.py" and not where.startswith("dft/"):
            offenders += [(where, values) for _, values in _string_tuples(path) if len(names & set(values)) >= 2]
    assert offenders == [STRUCTURE_GROUPS]


def test_the_detector_sees_a_spelled_out_tuple(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('PLAN = {"standard": ("narrow", "diverse")}\nOTHER = ("narrow", "test")\n')
    assert _string_tuples(probe) == [(1, ("narrow", "diverse")), (2, ("narrow", "test"))]


@pytest.mark.parametrize(
    "energy, failed", [(report.FAILED_ENERGY_MEV_PER_ATOM, False), (report.FAILED_ENERGY_MEV_PER_ATOM + 1, True)]
)
def test_the_failed_threshold_is_the_one_of_report(energy, failed):
    """The paper-data tables mark a failed extrapolation by report's threshold, as report's own tables do."""
    assert data_worlds._fmt(energy).startswith(">") is failed
    assert report.energy_rmse_cell(energy).startswith("*failed*") is failed


def test_criteria_texts_say_the_constants(monkeypatch):
    """The criteria and the tables name the numbers they use, from the constants: changing a constant
    changes the text."""
    from test_claims import DFT, record

    bulk = [record(K, s, 0.3, 0.3 / K, 0.0) for K in (2, 3) for s in datasets.BULK_SETS]
    criteria = {claims.claim_id(v.claim): v.criterion for v in claims.assess_claims(bulk, DFT)}
    assert "(5 % tolerance)" in criteria["3"] and "over 1.0–4.5 Å above 0.5 eV" in criteria["1b"]
    monkeypatch.setattr(claims, "LOSS_TOLERANCE", 0.5)
    monkeypatch.setattr(claims, "CONVERGENCE_RANGE", (1.5, 5.0))
    criteria = {claims.claim_id(v.claim): v.criterion for v in claims.assess_claims(bulk, DFT)}
    assert "(50 % tolerance)" in criteria["3"] and "over 1.5–5.0 Å" in criteria["1b"]
    assert "within 25 %?" in data_worlds.published_comparison_markdown([])
    monkeypatch.setattr(data_worlds, "WITHIN_FRACTION", 0.1)
    assert "within 10 %?" in data_worlds.published_comparison_markdown([])


def test_the_loss_tolerance_decides_claim_3(monkeypatch):
    """Claim 3 holds where the training loss grows by less than the tolerance, not where it grows by more."""
    from test_claims import DFT, record

    growing = [
        record(K, "diverse", 0.3, train, offset)
        for K, train, offset in zip((2, 3, 4), (0.30, 0.31, 0.32), (2.0, -1.5, 2.5))
    ]  # grows by about 3 % per K
    grade = {claims.claim_id(v.claim): v.verdict for v in claims.assess_claims(growing, DFT)}
    assert grade["3"] == "reproduced"
    monkeypatch.setattr(claims, "LOSS_TOLERANCE", 0.01)
    grade = {claims.claim_id(v.claim): v.verdict for v in claims.assess_claims(growing, DFT)}
    assert grade["3"] == "not reproduced"
