"""A simulated consortium: N programmes x M years of synthetic cohorts with known effects.

The bundled studies have one year each and compare different roles, so nothing pools
and nothing trends. This command writes a consortium that does, with the true effects
known, so that pooling, trends and forest plots can be shown (and checked) honestly::

    python -m peermentor.simulate --programs 20 --years 3 --seed 1 --out results/simulated

It writes ``<out>/programs/sim-NN.yaml`` (marked ``simulated: true``: every report built
from them says so), ``<out>/raw/sim-NN/<year>/responses.csv``, ``<out>/truth.csv`` (the
true effect of every programme and item), ``<out>/config.yaml`` (pipeline settings
pointing at them) and a README. Never into ``data/raw`` unless asked. Run the pipeline on
it with ``./run.sh --configfile <out>/config.yaml``.

The model, per programme p (mentors vs mentees, the declared comparison):

* ``again`` (yes/no, construct ``continued_participation``): mentees say yes with
  probability ``BASE_P``; mentors with log odds ratio theta_p ~ N(``LOG_OR``, ``TAU_LOG_OR``^2).
* ``value`` (Likert 1-5, ``programme_value``) and ``partner`` (Likert 1-5,
  ``partner_satisfaction``): a latent normal answer with SD 1, cut at fixed thresholds;
  mentors are shifted by delta_p ~ N(``SMD``[item], ``TAU_SMD``^2) latent SDs, and
  everybody by ``TREND`` per year after the first (so trends have a true slope).
* ``design`` (a 4-item scale, ``programme_design``, items ``design_1`` to ``design_4``,
  ``design_3`` reverse-keyed: worded the other way, so answered 6 - x): each item is
  ``LOADING`` times a latent trait plus independent noise (latent SD 1), cut at the same
  thresholds; mentors' trait is shifted by delta_p ~ N(``SCALE_SMD``, ``TAU_SMD``^2).
  Its reliability and the true standardised difference of the *scored* scale (mean of
  the four items, reverse keyed back) follow exactly from the bivariate normal
  (:func:`scale_truth`): Cronbach's alpha 0.764 in a cohort's mentees, and a true
  score SMD of 0.437 for a latent 0.5 (``truth.csv``).

Same arguments, same bytes: every cohort draws from its own seed sequence
``(seed, programme, year)``, so adding programmes or years leaves the others unchanged.

>>> programs, cohorts, truth = simulate_consortium(2, 2, seed=1)
>>> sorted(programs), len(cohorts), list(truth.columns)[:3]
(['sim-01', 'sim-02'], 4, ['program', 'item', 'construct'])
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats as sps
from scipy.special import expit, logit

FIRST_YEAR = 2021
BASE_P = 0.6
LOG_OR = float(np.log(2.0))
TAU_LOG_OR = 0.3
SMD = {"value": 0.4, "partner": 0.0}
TAU_SMD = 0.15
TREND = 0.2
#: Latent thresholds between the five Likert points (latent mean 0 for mentees).
CUTS = np.array([-1.5, -0.5, 0.5, 1.5])
ROLE_SIZES = (15, 41)  # respondents per role and cohort: uniform integers in [15, 40]

CONSTRUCT = {"value": "programme_value", "partner": "partner_satisfaction",
             "again": "continued_participation", "design": "programme_design"}
#: The 4-item scale: items (text, reverse-keyed?), loading on the trait, mentors' shift.
SCALE_ITEMS = {
    "design_1": ("Meetings were organised in a way that suited me", False),
    "design_2": ("The way pairs were matched suited the programme's purpose", False),
    "design_3": ("The programme's format got in the way of mentoring", True),
    "design_4": ("The programme's structure helped us meet regularly", False),
}
LOADING = 0.7
SCALE_SMD = 0.5


def _likert_scale() -> dict:
    # A fresh dict per item: shared objects would become YAML anchors.
    return {"min": 1, "max": 5, "labels": {1: "Strongly disagree", 5: "Strongly agree"}}


def program_config(program_id: str, years: list[int], invited: dict) -> dict:
    """The YAML config of one simulated programme."""
    return {
        "program": program_id,
        "title": f"Simulated programme {program_id}",
        "institution": "Simulated (no real institution)",
        "country": "Simulated",
        "design": "SIMULATED 1:1 peer mentoring, one survey a year (python -m "
                  "peermentor.simulate)",
        "mentor_level": "simulated",
        "simulated": True,
        "roles": {"mentor": "Mentors", "mentee": "Mentees"},
        "comparison": ["mentor", "mentee"],
        "cohorts": {str(y): {"invited": invited[y]} for y in years},
        "codebook": [
            {"id": "value", "text": "The programme was worth my time", "type": "likert",
             "section": "outcomes", "construct": CONSTRUCT["value"], "scale": _likert_scale()},
            {"id": "partner", "text": "I was satisfied with my mentoring partner",
             "type": "likert", "section": "outcomes", "construct": CONSTRUCT["partner"],
             "scale": _likert_scale()},
            {"id": "again", "text": "I would take part again", "type": "binary",
             "section": "outcomes", "construct": CONSTRUCT["again"]},
            *({"id": item, "text": text, "type": "likert", "section": "design",
               "scale": _likert_scale()} for item, (text, _) in SCALE_ITEMS.items()),
        ],
        "scales": [{
            "id": "design", "text": "Appropriateness of the programme design (4 items)",
            "items": list(SCALE_ITEMS),
            "reverse": [item for item, (_, rev) in SCALE_ITEMS.items() if rev],
            "score": "mean", "min_answered": 3, "section": "design",
            "construct": CONSTRUCT["design"]}],
    }


def _item_moments(mu: float, loading: float = LOADING) -> tuple[float, float, float]:
    """Mean and variance of one scored item, and the covariance of two, when the trait is
    N(mu, 1): the item's latent answer is N(loading * mu, 1), two items' latent answers
    correlate loading^2, and the answer is 1 + the number of thresholds below it."""
    shift = loading * mu
    above = sps.norm.cdf(shift - CUTS)
    both = sps.multivariate_normal(mean=[0, 0], cov=[[1, loading**2], [loading**2, 1]])
    mean = 1 + above.sum()
    var = sum(sps.norm.cdf(shift - max(a, b)) - pa * pb
              for a, pa in zip(CUTS, above, strict=True)
              for b, pb in zip(CUTS, above, strict=True))
    cov = sum(float(both.cdf([shift - a, shift - b])) - pa * pb
              for a, pa in zip(CUTS, above, strict=True)
              for b, pb in zip(CUTS, above, strict=True))
    return float(mean), float(var), float(cov)


def scale_truth(delta: float, loading: float = LOADING) -> dict:
    """The scored scale's true values when mentors' trait is ``delta`` latent SDs above
    mentees' (first year): ``smd``, the standardised difference of the scale score (mean
    of the items; SD pooled over the two roles), and ``alpha``, Cronbach's alpha of the
    items in the mentees (trait N(0, 1)).

    >>> {k: round(v, 3) for k, v in scale_truth(0.5).items()}
    {'smd': 0.437, 'alpha': 0.764}
    """
    k = len(SCALE_ITEMS)
    mean_e, var_e, cov_e = _item_moments(0.0, loading)
    mean_m, var_m, cov_m = _item_moments(delta, loading)
    score_var = [(v + (k - 1) * c) / k for v, c in ((var_e, cov_e), (var_m, cov_m))]
    return {"smd": (mean_m - mean_e) / float(np.sqrt(sum(score_var) / 2)),
            "alpha": k * cov_e / (var_e + (k - 1) * cov_e)}


def scale_population_smd(mean: float = SCALE_SMD, tau: float = TAU_SMD,
                         points: int = 21) -> float:
    """The mean over programmes of the scored scale's true SMD, delta_p ~ N(mean, tau^2)
    (Gauss-Hermite quadrature): what the pooled estimate targets."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(points)
    values = [scale_truth(mean + tau * x)["smd"] for x in nodes]
    return float(np.dot(weights, values) / weights.sum())


def _programme_effects(seed: int, p: int) -> tuple[float, dict]:
    """True effects of programme ``p``: its own seed, so they do not depend on the years.
    The scale's shift is drawn last, so the other effects are those drawn without it."""
    prng = np.random.default_rng(np.random.SeedSequence([seed, p]))
    theta = float(prng.normal(LOG_OR, TAU_LOG_OR))
    deltas = {item: float(prng.normal(mean, TAU_SMD)) for item, mean in SMD.items()}
    deltas["design"] = float(prng.normal(SCALE_SMD, TAU_SMD))
    return theta, deltas


def _draw_scale(seed: int, p: int, year: int, year_index: int, delta: float,
                sizes: dict) -> dict:
    """The scale's answers of one cohort, ``{role: {item: array}}``, from a stream of
    their own (so the other items' answers are those drawn without the scale)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, p, year, 1]))
    answers = {}
    for role, n in sizes.items():
        trait = rng.normal(TREND * year_index + (delta if role == "mentor" else 0.0), 1.0,
                           size=n)
        drawn = {}
        for item, (_, reverse) in SCALE_ITEMS.items():
            latent = LOADING * trait + np.sqrt(1 - LOADING**2) * rng.normal(size=n)
            answer = np.searchsorted(CUTS, latent) + 1
            drawn[item] = 6 - answer if reverse else answer
        answers[role] = drawn
    return answers


def _draw(seed: int, p: int, year: int, year_index: int, theta: float, deltas: dict) -> dict:
    """Answers of one cohort: ``{role: {item: array}}`` (numpy only, so it is fast)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, p, year]))
    sizes = {role: int(rng.integers(*ROLE_SIZES)) for role in ("mentor", "mentee")}
    answers = {}
    for role, n in sizes.items():
        mentor = role == "mentor"
        p_yes = expit(logit(BASE_P) + (theta if mentor else 0.0))
        drawn = {"again": rng.binomial(1, p_yes, size=n)}
        for item in SMD:
            latent = rng.normal(TREND * year_index + (deltas[item] if mentor else 0.0), 1.0,
                                size=n)
            drawn[item] = np.searchsorted(CUTS, latent) + 1
        answers[role] = drawn
    scale = _draw_scale(seed, p, year, year_index, deltas["design"], sizes)
    for role in answers:
        answers[role] |= scale[role]
    return answers


def _frame(program_id: str, year: int, answers: dict) -> pd.DataFrame:
    parts = []
    for role, drawn in answers.items():
        n = len(drawn["again"])
        parts.append(pd.DataFrame({
            "respondent_id": [f"{program_id}-{year}-{role}-{i + 1:03d}" for i in range(n)],
            "role": role, "value": drawn["value"], "partner": drawn["partner"],
            "again": drawn["again"], **{item: drawn[item] for item in SCALE_ITEMS}}))
    return pd.concat(parts, ignore_index=True)


def cohort_answers(n_programs: int, seed: int = 1, year_index: int = 0) -> list[dict]:
    """One year's answers of every programme, straight from the model (no files, no
    pipeline): ``[{role: {item: array}}]``, programme 1 first; the cohorts
    :func:`simulate_consortium` writes for that year. The coverage test of the pooled
    intervals draws its consortia here.

    >>> answers = cohort_answers(2, seed=1)
    >>> len(answers), sorted(answers[0]), sorted(answers[0]["mentor"])[:4]
    (2, ['mentee', 'mentor'], ['again', 'design_1', 'design_2', 'design_3'])
    """
    found = []
    for p in range(1, n_programs + 1):
        theta, deltas = _programme_effects(seed, p)
        found.append(_draw(seed, p, FIRST_YEAR + year_index, year_index, theta, deltas))
    return found


def simulate_consortium(n_programs: int, n_years: int, seed: int = 1):
    """``(programs, cohorts, truth)``: configs by id, ``{(program, year): responses}``
    and the true effects (one row per programme x item)."""
    if n_programs < 1 or n_years < 1:
        raise ValueError("simulate: need at least 1 programme and 1 year")
    years = [FIRST_YEAR + i for i in range(n_years)]
    programs, cohorts, truth = {}, {}, []
    population_smd = scale_population_smd()
    population_alpha = scale_truth(SCALE_SMD)["alpha"]
    for p in range(1, n_programs + 1):
        program_id = f"sim-{p:02d}"
        theta, deltas = _programme_effects(seed, p)
        truth.append({"program": program_id, "item": "again", "construct": CONSTRUCT["again"],
                      "metric": "log_odds_ratio", "true_effect": theta,
                      "population_mean": LOG_OR, "tau": TAU_LOG_OR})
        for item in SMD:
            truth.append({"program": program_id, "item": item, "construct": CONSTRUCT[item],
                          "metric": "latent_smd", "true_effect": deltas[item],
                          "population_mean": SMD[item], "tau": TAU_SMD})
        truth.append({"program": program_id, "item": "design",
                      "construct": CONSTRUCT["design"], "metric": "latent_smd",
                      "true_effect": deltas["design"], "population_mean": SCALE_SMD,
                      "tau": TAU_SMD})
        truth.append({"program": program_id, "item": "design",
                      "construct": CONSTRUCT["design"], "metric": "scale_score_smd",
                      "true_effect": scale_truth(deltas["design"])["smd"],
                      "population_mean": population_smd, "tau": float("nan")})
        truth.append({"program": program_id, "item": "design",
                      "construct": CONSTRUCT["design"], "metric": "cronbach_alpha_mentees",
                      "true_effect": population_alpha, "population_mean": population_alpha,
                      "tau": 0.0})
        invited = {}
        for index, year in enumerate(years):
            frame = _frame(program_id, year, _draw(seed, p, year, index, theta, deltas))
            cohorts[(program_id, str(year))] = frame
            counts = frame["role"].value_counts()
            invited[year] = {role: int(np.ceil(counts[role] / 0.6)) for role in
                             ("mentor", "mentee")}
        programs[program_id] = program_config(program_id, years, invited)
    return programs, cohorts, pd.DataFrame(truth)


README = """# SIMULATED consortium: not real data

Written by `python -m peermentor.simulate --programs {n} --years {m} --seed {seed}`.
Every cohort here is synthetic, drawn from a model with known true effects (`truth.csv`),
to show pooling, trends and forest plots. No answer belongs to anyone; every report built
from these programmes says "Simulated".

Run the pipeline on it: `./run.sh --configfile {out}/config.yaml`
(its tables and reports replace the bundled studies' in `results/`; run `./run.sh`
again to go back).
"""


def write_consortium(out: str | Path, n_programs: int, n_years: int, seed: int = 1,
                     repo: str | Path = ".") -> list[Path]:
    """Write the consortium under ``out``; return the files written."""
    out = Path(out)
    repo = Path(repo)
    programs, cohorts, truth = simulate_consortium(n_programs, n_years, seed)
    written = []
    for program_id, config in programs.items():
        path = out / "programs" / f"{program_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# SIMULATED programme (python -m peermentor.simulate): not real data.\n"
                        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
        written.append(path)
    for (program_id, year), frame in sorted(cohorts.items()):
        path = out / "raw" / program_id / year / "responses.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    truth_path = out / "truth.csv"
    truth.round(10).to_csv(truth_path, index=False, lineterminator="\n")
    (out / "published").mkdir(parents=True, exist_ok=True)
    settings = {
        "raw_dir": str(out / "raw"),
        "programs_dir": str(out / "programs"),
        "themes": str(repo / "config/themes.yaml"),
        "constructs": str(repo / "config/constructs.yaml"),
        "published_dir": str(out / "published"),
        "small_cell_threshold": 5,
        "pooling": {"method": "reml", "knapp_hartung": False},
    }
    config_path = out / "config.yaml"
    config_path.write_text("# Pipeline settings for the SIMULATED consortium.\n"
                           + yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    readme = out / "README.md"
    readme.write_text(README.format(n=n_programs, m=n_years, seed=seed, out=out),
                      encoding="utf-8")
    return [*written, truth_path, config_path, readme]


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m peermentor.simulate``)."""
    parser = argparse.ArgumentParser(
        prog="python -m peermentor.simulate",
        description="Write a SIMULATED consortium (N programmes x M years, known true "
                    "effects, seeded and deterministic) for the pipeline.",
        epilog="Example: python -m peermentor.simulate --programs 20 --years 3 --seed 1 "
               "--out results/simulated, then ./run.sh --configfile "
               "results/simulated/config.yaml",
    )
    parser.add_argument("--programs", type=int, default=20, help="number of programmes (20)")
    parser.add_argument("--years", type=int, default=3, help="years per programme (3)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
    parser.add_argument("--out", default="results/simulated",
                        help="output folder (default results/simulated; never data/raw "
                             "unless you name it)")
    args = parser.parse_args(argv)
    files = write_consortium(args.out, args.programs, args.years, args.seed)
    print(f"wrote {len(files)} files under {args.out} (SIMULATED data)")


if __name__ == "__main__":  # pragma: no cover
    main()
