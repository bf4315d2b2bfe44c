"""linace.study.own_data: the tables of the page "Run the study on your own data" (book/08_own_data.py)."""

import pytest
from synthetic_records import DFT, make_record

from linace.study import datasets, example_data, importer, own_data


def test_the_data_directory_table_lists_every_set():
    meta = {
        "element": "Cu",
        "description": "",
        "sets": {"bulk": {"n_structures": 8, "n_atoms": 32}, "test": {"n_structures": 4, "n_atoms": 16}},
    }
    text = own_data.data_dir_markdown(meta)
    assert text.startswith("Data directory of **Cu**: (no description)\n\n| set | structures | atoms |")
    assert text.splitlines()[-2:] == ["| bulk | 8 | 32 |", "| test | 4 | 16 |"]


def test_the_convergence_table_pairs_each_k_with_its_own_test_error():
    records = [
        make_record(3, "bulk", offset=0.5, energy_rmse=20.0),
        make_record(2, "bulk", offset=1.5, energy_rmse=40.0),
    ]
    text = own_data.convergence_markdown(records, DFT)  # given out of order: rows by K all the same
    lines = text.splitlines()
    assert lines[0] == "Distances are mean absolute differences over 1.00–4.50 Å."
    assert lines[2] == (
        "| K | to K−1 (eV) | to the folder's curve (eV) | minimum (Å) | depth (eV) | test E RMSE (meV/atom) |"
    )
    assert lines[4].startswith("| 2 | – | 1.500 |") and lines[4].endswith("| 40 |")
    assert lines[5].startswith("| 3 | 1.000 | 0.500 |") and lines[5].endswith("| 20 |")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("own")
    sample = example_data.published_sample(folder / "published", "Cu", n_train=3, n_test=2, n_dimers=12)
    meta = importer.import_data(
        [f"bulk={sample.train}", f"test={sample.test}", f"dimers={sample.dimers}"],
        folder / "imported",
        "Cu",
        energy_key="dft_energy",
        forces_key="force",
        e0=sample.e0_rydberg,
        e0_units="rydberg",
        dimer_table=sample.dimer_table,
        table_units=("bohr", "rydberg"),
    )
    return meta, folder / "imported", sample


def test_the_import_table_says_where_each_set_came_from_and_what_was_converted(imported):
    meta, folder, sample = imported
    text = own_data.import_markdown(meta, folder, sample.box)
    low, high = meta["compare_range"]
    assert text.startswith(
        f"Keys used: energy `dft_energy`, forces `force`; dimer curves compared over "
        f"{low:.2f}–{high:.2f} Å.\n\n| set | structures | from | conversion |"
    )
    rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines()[4:]}
    assert set(rows) == set(meta["sets"])
    assert "dimers.xyz" in rows["dimers"] and f"taken out of a {sample.box:.0f} Å box" in rows["dimers"]
    assert f"= {datasets.e0(folder):.4f} eV" in rows["isolated_atom"] and "rydberg" in rows["isolated_atom"]
    assert "train.xyz" in rows["bulk"]
