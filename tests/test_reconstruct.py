"""Tests for the reconstruction of the bundled studies' data (``peermentor.papers.reconstruct``).

The published numbers below are typed from the papers in ``shared/seeds``, deliberately
not read from the configs, so that a wrong config or a wrong script both fail here.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BUNDLED

from peermentor.analysis.mannwhitney import mwu_p
from peermentor.ingest.config import load_program, response_columns
from peermentor.papers.consistency import half_up_interval
from peermentor.papers.published import mwu_variant
from peermentor.papers.reconstruct import (
    check_reconstruction,
    closest_pair,
    likert_candidates,
    main,
    multi_choice_cells,
    reconstruct_all,
    reconstruct_responses,
)

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = ROOT / "config" / "programs"
RAW = ROOT / "data" / "raw"
# Only the bundled studies' folders: a user's own cohorts may sit beside them.
BUNDLED_CSV = sorted(
    p for program, years in BUNDLED.items() for year in years
    for p in (RAW / program / year).glob("*.csv")
)
STUDIES = {
    "unc-ssm": "2019",
    "ulsan-peer": "2019",
    "ucsf-obgyn": "2020",
    "tums-dual": "2012",
    "dual-role-group": "2023",
}


def responses(program: str) -> pd.DataFrame:
    path = RAW / program / STUDIES[program] / "responses.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def codes(program: str) -> pd.DataFrame:
    path = RAW / program / STUDIES[program] / "codes.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def ticks(frame: pd.DataFrame, item: str, role: str | None = None) -> tuple[int, dict]:
    """(number who answered, {code: ticks}) of a multi_choice item, optionally by role."""
    if role is not None:
        frame = frame[frame["role"] == role]
    cols = [c for c in frame.columns if c.startswith(f"{item}__")]
    block = frame[cols]
    answered = block[(block != "").any(axis=1)]
    return len(answered), {c.split("__", 1)[1]: int((answered[c] == "1").sum()) for c in cols}


def one_decimal(x: float) -> str:
    return str(Decimal(repr(float(x))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------------------
# (a) determinism: the committed files are exactly what the script writes
# --------------------------------------------------------------------------------------


def test_rerun_is_byte_identical(tmp_path):
    written = reconstruct_all(PROGRAMS, tmp_path, ROOT / "config" / "published")
    produced = sorted(p.relative_to(tmp_path) for p in written)
    committed = sorted(p.relative_to(RAW) for p in BUNDLED_CSV)
    assert produced == committed
    assert len(produced) == 9
    for rel in produced:
        assert (tmp_path / rel).read_bytes() == (RAW / rel).read_bytes(), rel


def test_command_line_entry_point(tmp_path, capsys):
    assert main(["--programs", str(PROGRAMS), "--out", str(tmp_path),
                 "--published", str(ROOT / "config" / "published")]) == 0
    rel = Path("ulsan-peer/2019/responses.csv")
    assert (tmp_path / rel).read_bytes() == (RAW / rel).read_bytes()
    assert str(tmp_path / rel) in capsys.readouterr().out


def test_files_use_unix_newlines_and_no_float_noise():
    for path in BUNDLED_CSV:
        data = path.read_bytes()
        assert b"\r" not in data and data.endswith(b"\n"), path
        assert b".0," not in data and b"e-" not in data, path


# --------------------------------------------------------------------------------------
# contract: columns, ids, codes
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("program", sorted(STUDIES))
def test_responses_follow_the_contract(program):
    config = load_program(PROGRAMS / f"{program}.yaml")
    assert config["reconstructed"] is True
    frame = responses(program)
    assert list(frame.columns) == response_columns(config)
    assert frame["respondent_id"].is_unique
    assert frame["respondent_id"].str.fullmatch(r"[A-Z]{3}-\d{3}").all()
    assert set(frame["role"]) <= set(config["roles"])


@pytest.mark.parametrize("program", ["ulsan-peer", "ucsf-obgyn", "tums-dual", "dual-role-group"])
def test_codes_follow_the_contract(program):
    config = load_program(PROGRAMS / f"{program}.yaml")
    table = codes(program)
    assert list(table.columns) == [
        "segment_id", "respondent_id", "source", "role", "category", "subcategory"
    ]
    assert table["segment_id"].is_unique and (table["segment_id"] != "").all()
    labels = {
        c["id"]: {s["label"] for s in c.get("subcategories", [])}
        for c in config["qualitative"]["categories"]
    }
    for row in table.itertuples():
        assert row.subcategory in labels[row.category]
        assert row.role in config["roles"]
    assert set(table["source"]) <= {
        "interview", "focus_group", "diary", "open_ended_survey", "interview_and_diary"
    }


# --------------------------------------------------------------------------------------
# (b) published numbers, typed from the papers
# --------------------------------------------------------------------------------------


def test_ulsan_respondents():
    frame = responses("ulsan-peer")
    assert len(frame) == 19  # "19 students (28.4%)" of 67
    assert frame["role"].value_counts().to_dict() == {"mentor": 10, "mentee": 9}


def test_ulsan_table1_counts():
    frame = responses("ulsan-peer")
    assert frame["meetings_per_semester"].value_counts().to_dict() == {
        "lt3": 4, "from4to5": 7, "from6to8": 2, "gt8": 6
    }
    assert ticks(frame, "meeting_methods") == (19, {"face_to_face": 16, "text_message": 14})
    assert frame["meeting_hours"].value_counts().to_dict() == {
        "lt1": 4, "about1": 6, "about2": 6, "about3": 3
    }
    assert ticks(frame, "meeting_locations") == (
        19,
        {"dorm_study_room": 8, "lecture_room": 7, "cafe": 6, "student_lounge": 4, "library": 1},
    )


def test_ulsan_table2_means_and_sds():
    frame = responses("ulsan-peer")
    table2 = {  # item: (mentors n=10 mean, sd), (mentees n=9 mean, sd)
        "programme_appropriate": (("3.5", "0.7"), ("3.7", "0.9")),
        "partner_attitude": (("3.4", "1.2"), ("3.9", "1.2")),
        "programme_content": (("3.6", "0.5"), ("3.8", "1.0")),
    }
    for item, expected in table2.items():
        for role, n, (mean, sd) in zip(("mentor", "mentee"), (10, 9), expected, strict=True):
            values = frame.loc[frame["role"] == role, item]
            assert (values != "").sum() == n
            data = values.astype(int)
            assert data.between(1, 5).all()
            assert one_decimal(data.mean()) == mean, (item, role)
            assert one_decimal(data.std(ddof=1)) == sd, (item, role)


def test_ulsan_table2_p_values_are_the_closest_available():
    """Each pair is the one closest to the printed p under the paper's declared variant."""
    frame = responses("ulsan-peer")
    # Typed from Table 2: printed p, mentors (mean, SD), mentees (mean, SD).
    printed = {"programme_appropriate": 0.68, "partner_attitude": 0.33,
               "programme_content": 0.60}
    stats = {"programme_appropriate": ((3.5, 0.7), (3.7, 0.9)),
             "partner_attitude": ((3.4, 1.2), (3.9, 1.2)),
             "programme_content": ((3.6, 0.5), (3.8, 1.0))}
    variant = mwu_variant(ROOT / "config" / "published" / "ulsan-peer.yaml")
    assert variant == "textbook_normal_cc"
    for item, p in printed.items():
        x = frame.loc[frame["role"] == "mentor", item].astype(int).tolist()
        y = frame.loc[frame["role"] == "mentee", item].astype(int).tolist()
        (mx, sx), (my, sy) = stats[item]
        cx, cy = likert_candidates(10, mx, sx, 1, 5), likert_candidates(9, my, sy, 1, 5)
        best = min(abs(mwu_p(a, b, variant) - p) for a in cx for b in cy)
        assert abs(mwu_p(x, y, variant) - p) == pytest.approx(best)
        # Under that variant all three printed values are reproduced.
        assert round(mwu_p(x, y, variant), 2) == p


def test_ulsan_table3_counts_and_denominators():
    frame = responses("ulsan-peer")
    assert ticks(frame, "purpose_mentor", "mentor") == (
        10, {"patronize_juniors": 4, "help_study": 4, "responsibility": 2, "help_nearby": 1}
    )
    assert ticks(frame, "purpose_mentee", "mentee") == (
        7, {"academic_achievement": 2, "academic_advice": 2, "study_methods": 1,
            "school_life_support": 1}
    )
    # each option set was put to one role only
    assert ticks(frame, "purpose_mentor", "mentee")[0] == 0
    assert ticks(frame, "purpose_mentee", "mentor")[0] == 0


def test_ulsan_table4_counts_and_denominators():
    frame = responses("ulsan-peer")
    assert ticks(frame, "mentor_role", "mentor") == (
        10, {"test_strategies": 7, "learning_facilitator": 6, "school_life": 3,
             "emotional_support": 2, "private_tutor": 1, "study_resources": 1}
    )
    assert ticks(frame, "mentor_role", "mentee") == (
        9, {"test_strategies": 6, "learning_facilitator": 5, "school_life": 1,
            "emotional_support": 2, "private_tutor": 2, "study_resources": 0}
    )
    cols = [c for c in frame.columns if c.startswith("mentor_role__")]
    assert (frame[cols].astype(int).sum(axis=1) <= 3).all()  # "Three multiple responses"


def test_ulsan_demographics():
    frame = responses("ulsan-peer")
    female = frame[frame["gender"] == "female"]["role"].value_counts().to_dict()
    assert female == {"mentee": 6, "mentor": 5}
    assert frame.loc[frame["role"] == "mentee", "grade"].value_counts().to_dict() == {
        "PY2": 6, "Y1": 2, "Y2": 1
    }
    assert frame.loc[frame["role"] == "mentor", "grade"].value_counts().to_dict() == {
        "Y1": 4, "Y2": 2, "Y3": 2, "Y4": 2
    }
    assert (frame["participated_twice"] == "1").sum() == 8


def test_unc_participation_and_percentages():
    frame = responses("unc-ssm")
    assert len(frame) == 107  # of 178
    assert frame["role"].value_counts().to_dict() == {
        "non_mentor": 48, "mentor": 42, "excluded": 17
    }
    agreed = (frame["ssm_valuable_different"] == "1").sum()
    assert round(100 * agreed / 107) == 95
    mentors = frame[frame["role"] == "mentor"]
    assert round(100 * (mentors["would_mentor_again"] == "1").sum() / 42) == 83
    assert (frame.loc[frame["role"] != "mentor", "would_mentor_again"] == "").all()


def test_tums_table1():
    frame = responses("tums-dual")
    assert len(frame) == 33
    table1 = {  # session: (participants, n, female, male)
        "first": ("mentee", 7, 2, 5),
        "second": ("mentee", 6, 5, 1),
        "third": ("mentee", 8, 5, 3),
        "fourth": ("mentor", 12, 6, 6),
    }
    for session, (role, n, female, male) in table1.items():
        group = frame[frame["focus_group"] == session]
        assert len(group) == n
        assert set(group["role"]) == {role}
        assert (group["gender"] == "female").sum() == female
        assert (group["gender"] == "male").sum() == male
    mentors = frame[frame["role"] == "mentor"]
    assert mentors["mentor_phase"].value_counts().to_dict() == {"clinical": 6, "preclinical": 6}


def test_tums_mentors_development_raised_by_mentors_only():
    table = codes("tums-dual")
    assert set(table.loc[table["category"] == "mentors_development", "role"]) == {"mentor"}


def test_ucsf_respondents_and_rankings():
    frame = responses("ucsf-obgyn")
    assert frame["role"].value_counts().to_dict() == {"mentee": 14, "mentor": 4}
    mentees = frame[frame["role"] == "mentee"]
    assert (mentees["preferred_mentor_level__senior_students"] == "1").all()
    assert (mentees["preferred_mentor_level__attendings"] == "3").all()


def test_dual_role_group_participants():
    frame = responses("dual-role-group")
    assert len(frame) == 20
    assert (frame["interviews_completed"] == "2").all()
    assert len(codes("dual-role-group")) == 4


# --------------------------------------------------------------------------------------
# the method itself
# --------------------------------------------------------------------------------------


def test_half_up_interval_is_exact():
    lo, hi = half_up_interval(0.7, 1)
    assert (float(lo), float(hi)) == (0.65, 0.75)
    # 0.75 rounds half-up to 0.8, so it is outside; 0.65 rounds to 0.7, so inside
    assert lo <= Decimal("0.65") and not Decimal("0.75") < hi


def test_likert_candidates_match_rounding():
    cands = likert_candidates(10, 3.5, 0.7, 1, 5)
    assert cands == sorted(cands) and cands
    for combo in cands:
        data = np.array(combo)
        assert one_decimal(data.mean()) == "3.5"
        assert one_decimal(data.std(ddof=1)) == "0.7"
    assert likert_candidates(3, 5.0, 1.0, 1, 5) == []  # mean 5 forces SD 0


def test_closest_pair_prefers_closest_p():
    a, b = [(1, 1, 2, 2)], [(1, 1, 2, 2), (3, 3, 4, 4)]
    assert closest_pair(a, b, 0.02)[1] == (3, 3, 4, 4)
    assert closest_pair(a, b, 0.99)[1] == (1, 1, 2, 2)


def test_multi_choice_respects_max_selected_and_counts():
    item = {"id": "m", "choices": {"a": "A", "b": "B", "c": "C"}, "max_selected": 2}
    cells = multi_choice_cells(item, {"n": 4, "counts": {"a": 4, "b": 3, "c": 1}},
                               np.random.default_rng(1))
    grid = np.array(cells, dtype=int)
    assert grid.sum(axis=0).tolist() == [4, 3, 1]
    assert grid.sum(axis=1).max() <= 2
    with pytest.raises(ValueError):
        multi_choice_cells(item, {"n": 2, "counts": {"a": 2, "b": 2, "c": 1}},
                           np.random.default_rng(1))


def test_self_check_catches_a_tampered_answer():
    program = load_program(PROGRAMS / "ulsan-peer.yaml")
    frame = reconstruct_responses(program, "2019")
    check_reconstruction(program, frame)
    frame.loc[frame["meetings_per_semester"] == "lt3", "meetings_per_semester"] = "gt8"
    with pytest.raises(ValueError, match="meetings_per_semester"):
        check_reconstruction(program, frame)
