"""The drill table (drills/data/drills.toml): checked at load, in step with the coaching criteria,
the report and the recognition bands, read by the analysis and the generator (never the other way
round), and enough, with its bands and library entry, to add a drill without touching Python."""

from __future__ import annotations

import ast
import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from kneedrive.coaching.data_files import schema as coaching_schema
from kneedrive.drills import catalogue, table
from kneedrive.drills.analyze import analyze_drill
from kneedrive.drills.catalogue import DRILL_IDS, DRILL_NAMES, load_catalogue
from kneedrive.drills.generator import synthesize_drill
from kneedrive.drills.keyframes import MODELS, DrillSession
from kneedrive.drills.recognize import load_rules
from kneedrive.drills.rep_metrics import Rep
from kneedrive.drills.table import PATTERNS, DrillDataError, drill_name, drill_spec, drill_table, load_drill_table
from kneedrive.errors import InputError
from kneedrive.kinematics import compute_kinematics

DATA = resources.files("kneedrive.drills").joinpath("data")
SPRINT_REFERENCES = (
    "sprint_knee_drive",
    "sprint_contact_time",
    "sprint_knee_touchdown",
    "sprint_touchdown_distance",
    "ankle_at_knee_lift",
)


def test_ids_and_names_come_from_the_table() -> None:
    assert DRILL_IDS == table.DRILL_IDS == drill_table().ids
    assert DRILL_IDS[0] == "sprint" and len(set(DRILL_IDS)) == len(DRILL_IDS)
    assert dict(DRILL_NAMES) == {d.id: d.name for d in drill_table().drills}
    assert drill_name("wall_drill") == "Wall drill (repeat knee drives)"
    with pytest.raises(TypeError):
        DRILL_NAMES["sprint"] = "x"  # type: ignore[index]
    with pytest.raises(KeyError, match="unknown drill 'moonwalk'"):
        drill_spec("moonwalk")


def test_every_row_is_valid_and_every_drill_has_bands() -> None:
    shipped = load_catalogue()
    assert set(shipped.rules.bands) == set(DRILL_IDS) == set(load_rules().bands)
    rep_fields = set(Rep.__dataclass_fields__)
    for drill in drill_table().drills:
        assert drill.pattern in PATTERNS and set(drill.figures) <= rep_fields, drill.id


def test_the_table_says_which_criteria_and_references_apply() -> None:
    """One source: a criterion or reference applies to exactly the drills whose row names it."""
    from kneedrive.coaching.criteria import load_criteria
    from kneedrive.coaching.references import load_references

    for c in load_criteria():
        assert c.drills == tuple(d.id for d in drill_table().drills if c.id in d.criteria), c.id
    assert "low_knee_sprint" in drill_spec("sprint").criteria
    assert drill_spec("sprint").references == SPRINT_REFERENCES
    assert {r.id for r in load_references().for_drill("wall_drill")} >= {"drill_knee_drive_parallel", "drill_body_line"}


def test_the_synthetic_models_read_the_table() -> None:
    assert set(MODELS) <= set(DRILL_IDS) - {"sprint"}
    for drill_id, model in MODELS.items():
        assert model.spec == drill_spec(drill_id)
        assert (model.pattern, model.arms) == (drill_spec(drill_id).pattern, drill_spec(drill_id).arms)


def _imports(module: str) -> set[str]:
    source = resources.files("kneedrive.drills").joinpath(f"{module}.py").read_text(encoding="utf-8")
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("module", ["table", "catalogue", "recognize", "rep_metrics", "analyze", "features"])
def test_the_analysis_does_not_import_the_generator(module: str) -> None:
    assert not _imports(module) & {"keyframes", "generator", "sprinter"}, module


def test_the_table_does_not_import_the_rest_of_drills() -> None:
    assert _imports("table") == set()


def _data_copy(tmp_path: Path, drills_extra: str = "", recognition_extra: str = "") -> Path:
    for name, extra in (("drills.toml", drills_extra), ("recognition.toml", recognition_extra)):
        text = DATA.joinpath(name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text + extra, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('\n[[drill]]\nid = "moonwalk"\nname = "x"\npattern = "backwards"\narms = "swing"\n'
         "figures = []\ncriteria = []\nreferences = []\n", r"drills.toml at drill/\d+/pattern: .backwards. is not"),
        ('\n[[drill]]\nid = "wall_drill"\nname = "x"\npattern = "hold"\narms = "swing"\n'
         "figures = []\ncriteria = []\nreferences = []\n", "duplicate drill id 'wall_drill'"),
        ('\n[[drill]]\nid = "moonwalk"\nname = "x"\npattern = "hold"\narms = "swing"\n'
         'figures = ["moon_height_m"]\ncriteria = []\nreferences = []\n', "moonwalk shows .'moon_height_m'."),
        ('\n[[drill]]\nid = "moonwalk"\nname = "x"\npattern = "hold"\narms = "swing"\n'
         "figures = []\ncriteria = []\nreferences = []\n", r"no rules for \['moonwalk'\]"),
    ],
)  # fmt: skip
def test_a_bad_table_fails_at_load(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises((DrillDataError, ValueError), match=message):
        load_catalogue(_data_copy(tmp_path, extra))


def test_a_table_without_the_sprint_fails_at_load(tmp_path: Path) -> None:
    text = DATA.joinpath("drills.toml").read_text(encoding="utf-8").replace('id = "sprint"', 'id = "run"')
    (tmp_path / "drills.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DrillDataError, match="sprint row is missing"):
        load_drill_table(tmp_path)


# ------------------------------------------------------------ adding a drill: data files only
A_MARCH_ROW = """
[[drill]]
id = "a_march"
name = "A-march"
pattern = "alternating"
arms = "swing"
figures = ["cycles", "cadence_spm", "cycle_rate_hz", "thigh_angle_peak_deg", "trunk_lean_deg", "contact_time_s"]
criteria = []
references = ["drill_knee_drive_parallel", "drill_ankle_at_top"]
"""
A_MARCH_BANDS = """
[drill.a_march]
thigh_front_share = [0.72, 1.0]
one_sided_ratio = [0.7, 1.0]
thigh_peak_deg = [65.0, 115.0]
thigh_low_deg = [-7.0, 10.0]
ground_speed_legs_per_s = [0.0, 0.9]
cycle_rate_hz = [0.6, 1.3]
hold_fraction = [0.0, 0.1]
contacts_per_cycle = [0.6, 1.4]
trunk_lean_deg = [-8.0, 15.0]
arm_swing_ratio = [0.65, 1.0]
"""
A_MARCH_LIBRARY = """
[[exercise]]
id = "a_march"
name = "A-march"
category = "dynamic_drill"
purpose = "High knees at a walk: rehearse the knee-drive position in slow motion."
muscles = ["hip flexors", "calves"]
equipment = ["none"]
setup = "20 m lane."
steps = ["March forward, driving one knee up at each step.", "Pull the toes up and step down under the hips."]
cues = ["Knee up, toes up", "Tall"]
mistakes = ["Leaning back"]
dose = { sets = 2, distance_m = 20, rest_s = 30, per_side = false }
frequency = { min_per_week = 1, max_per_week = 3 }
contraindications = []
progressions = ["a_skip"]
regressions = []
level = 1
addresses = ["poor_coordination"]
sources = ["003"]
"""


def test_a_drill_added_only_in_the_data_files_is_recognized_and_measured(tmp_path: Path) -> None:
    """An A-march (high knees at a walk) gets a table row, recognition bands and a library entry;
    it has no synthetic model: its keypoints are a high-knees clip played at half speed."""
    data = _data_copy(tmp_path, A_MARCH_ROW, A_MARCH_BANDS)
    library_text = resources.files("kneedrive.coaching").joinpath("data", "library.toml").read_text(encoding="utf-8")
    library = tomllib.loads(library_text + A_MARCH_LIBRARY)
    jsonschema.validate(library, coaching_schema("library"))
    extended = load_catalogue(data)
    assert {d.id for d in extended.table.drills if d.coached} <= {e["id"] for e in library["exercise"]}
    assert "a_march" not in MODELS

    fast = synthesize_drill(DrillSession("high_knees"), fps_hz=120.0, seed=3)
    slow = replace(fast.sequence, time_s=fast.sequence.time_s * 2.0, source="<a-march>")
    result = analyze_drill(compute_kinematics(slow, athlete_height_m=1.8), catalogue=extended)
    assert (result.drill_id, result.name, result.decided_by) == ("a_march", "A-march", "auto")
    assert result.confidence > 0.8 and not result.one_legged
    assert len(result.reps) == len(fast.truth.reps)
    for rep, true in zip(result.reps, fast.truth.reps, strict=True):
        assert abs(rep.cycles - true.cycles) <= 1
        assert rep.cycle_rate_hz == pytest.approx(true.cycle_rate_hz / 2.0, rel=0.08)
        assert rep.cadence_spm == pytest.approx(60.0 * true.cycle_rate_hz, rel=0.08)
        assert rep.thigh_angle_peak_deg == pytest.approx(true.thigh_angle_peak_deg, abs=6.0)
        assert rep.ground_contacts and rep.contact_time_s is not None

    # the new drill takes nothing from the old ones, and the shipped catalogue does not know it
    original = analyze_drill(compute_kinematics(fast.sequence, athlete_height_m=1.8), catalogue=extended)
    assert original.drill_id == "high_knees"
    with pytest.raises(InputError, match="unknown drill 'a_march'"):
        analyze_drill(compute_kinematics(slow, athlete_height_m=1.8), "a_march")
    assert catalogue.shipped_catalogue().table == drill_table()


def test_the_help_texts_drill_list_is_the_table() -> None:
    from kneedrive.drills.table import listed_drill_ids

    assert listed_drill_ids() == drill_table().ids
