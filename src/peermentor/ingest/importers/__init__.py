"""Importers: map a REDCap, Qualtrics or Excel export onto the canonical ``responses.csv``.

The mapping lives in the programme's YAML under ``import:`` (see
docs/data-contract.md); every key is optional::

    import:
      respondent_id: record_id          # export column with the respondent id
      role: {column: role, values: {"1": mentor, "2": mentee}}
      complete_when:                    # rows kept only when every condition holds
        survey_complete: ["2"]
        survey_timestamp: {not: ["[not completed]"]}
      missing_values: ["-99"]           # export codes meaning "no answer"
      columns: {programme_appropriate: Q5_1}      # item id -> export column
      values: {participated_twice: {"1": "1", "2": "0"}}   # item id -> export code -> value

Errors name the export file, its row (counting the header as row 1), the
export column and the value; the mapped table is checked against the
codebook's pandera schema before anything is written.

The package: :mod:`.readers` (files as text, the problems an import reports),
:mod:`.qualtrics` and :mod:`.redcap` (what each vendor's export holds), :mod:`.mapper`
(columns and codes onto the codebook); this module runs an import.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from peermentor.ingest import notices
from peermentor.ingest.importers.mapper import (
    _config_place,
    _map_rows,
)
from peermentor.ingest.importers.qualtrics import (
    _qualtrics_rows,
    read_qualtrics,
)
from peermentor.ingest.importers.readers import (
    FIRST_DATA_ROW,
    ImportProblems,
    _fail,
    read_text_csv,
    read_xlsx,
    write_atomically,
)
from peermentor.ingest.importers.redcap import (
    EVENT_COLUMN,
    REPEAT_COLUMN,
    _add_summaries,
    _carry_role,
    _check_redcap_header,
    _complete_rows,
    _form_of,
    _split_repeating,
    _waves,
    _year_events,
    event_forms,
    read_redcap_dictionary,
    repeat_instances,
    summarise_instances,
)

__all__ = ["ImportProblems", "Imported", "import_cohort", "import_export", "import_job", "run"]

logger = notices.logger(__name__)


@dataclass
class Imported:
    """What one export gives: the responses table (the last wave present), the table of
    every declared wave (``wave`` column; empty without ``import.events``), and the
    instances of repeating instruments (long; empty without ``import.repeating``)."""

    responses: pd.DataFrame
    waves: pd.DataFrame
    instances: pd.DataFrame


def import_export(
    program: dict,
    fmt: str,
    export: str | Path,
    dictionary: str | Path | None = None,
) -> pd.DataFrame:
    """Map one export onto the canonical responses table (text), validated.

    Rows that ``import.complete_when`` does not count as complete are dropped.
    Raises :class:`ImportProblems` naming file, row, column and value. What a reviewer
    should know (rows dropped, columns unused) is logged (:mod:`peermentor.ingest.notices`).
    See :func:`import_cohort` for longitudinal exports and repeating instruments.
    """
    return import_cohort(program, fmt, export, dictionary).responses


def import_cohort(
    program: dict,
    fmt: str,
    export: str | Path,
    dictionary: str | Path | None = None,
    year: str | None = None,
    config_path: str | Path | None = None,
) -> Imported:
    """Map one export onto the canonical tables (text), validated: see :class:`Imported`.

    REDCap: rows of a repeating instrument declared under ``import.repeating`` are
    summarised per respondent into the columns it names; events map to waves under
    ``import.events``, each wave mapped and validated on its own, with the role
    carried from the event that asks it; events declared as survey years keep only
    the cohort ``year``'s.
    """
    spec = program.get("import", {})
    if spec.get("format", fmt) != fmt:
        raise _fail(export, f"the programme config says import.format: {spec['format']}, "
                    f"but the cohort folder holds a {fmt} file")
    dictionary_frame = None
    instances = repeat_instances(pd.DataFrame(columns=[REPEAT_COLUMN]), {}, "", "")
    if fmt == "xlsx":
        frame = read_xlsx(export, spec.get("sheet", 0))
    elif fmt == "qualtrics":
        frame = read_qualtrics(export)[0]
    else:
        frame = read_text_csv(export)
        if dictionary:
            dictionary_frame = read_redcap_dictionary(dictionary)
            _check_redcap_header(frame, export, dictionary, dictionary_frame)
        frame, repeats = _split_repeating(frame, spec, str(export))
        mine = _year_events(spec, year, str(export))
        if mine is not None and EVENT_COLUMN in repeats:  # a year's meetings, not others'
            repeats = repeats[repeats[EVENT_COLUMN].isin(mine)]
        id_column = spec.get("respondent_id", frame.columns[0])
        if len(repeats) or spec.get("repeating"):
            instances = repeat_instances(repeats, spec, id_column, str(export))
            summaries = summarise_instances(instances, repeats, spec, id_column, str(export))
            frame, dictionary_frame = _add_summaries(frame, summaries, spec, id_column,
                                                     dictionary_frame)
            logger.warning(f"{len(repeats)} instance(s) of repeating instruments "
                           f"({', '.join(spec['repeating'])}) summarised per respondent into "
                           + ", ".join(c for d in spec["repeating"].values() for c in d))
        frame = _carry_role(frame, id_column, spec.get("role", {}).get("column", "role"))
    if frame.empty:
        raise _fail(export, "no responses: the export has a header but no data rows",
                    row=FIRST_DATA_ROW[fmt])
    if fmt == "qualtrics":
        frame = _qualtrics_rows(frame, spec, str(export), _config_place(
            config_path, program, ["import", "leave_out"], "import"))
    held = None
    if fmt == "redcap" and EVENT_COLUMN in frame:
        forms = [_form_of(c) for c in frame.columns if c.endswith("_complete")]
        held = spec.get("event_forms") or event_forms(frame, forms)

    def place(keys):
        return _config_place(config_path, program, keys, "import.complete_when")

    waves = _waves(frame, spec, str(export), year) if fmt == "redcap" else {"": frame}
    tables = {}
    for wave, rows in waves.items():
        where_ = f" ({EVENT_COLUMN} of wave {wave})" if wave else ""
        with notices.about(f"wave {wave}") if wave else nullcontext():
            rows = rows[_complete_rows(rows, spec.get("complete_when", {}),
                                       str(export) + where_, dictionary_frame, held, place)]
        tables[wave] = _map_rows(program, spec, fmt, rows, export, dictionary_frame)
    last = list(tables)[-1]
    if len(tables) > 1 or (spec.get("events") and list(tables) != [str(year)]):
        counts = ", ".join(f"{w} {len(t)}" for w, t in tables.items())
        logger.warning(f"waves (respondents): {counts}; responses.csv holds wave {last}")
        long = pd.concat([t.assign(wave=w) for w, t in tables.items()], ignore_index=True)
        long.insert(2, "wave", long.pop("wave"))
    else:
        long = pd.DataFrame(columns=["respondent_id", "role", "wave"])
    instances = instances.drop(columns="row")
    instances.insert(1, "wave", instances.pop("wave"))
    return Imported(tables[last], long, instances)


def run(program: dict, fmt: str, export: str, dictionary: str | None, out: str,
        log=sys.stderr, waves_out: str | None = None, instances_out: str | None = None,
        year: str | None = None, console=None, config_path: str | None = None) -> None:
    """Import one cohort's export for the pipeline, or raise :class:`ImportProblems`.

    ``waves_out`` and ``instances_out``, if given, receive :class:`Imported`'s other
    two tables (header only when the export has no waves or repeating instruments).
    What a reviewer should know (rows or columns left out, values read differently) goes,
    each line starting with the export's path, to ``log`` and, as ``Warning:`` lines that
    ``./run.sh`` shows, to ``console`` once the import succeeded.
    """
    with notices.route(log, console, hold=True), notices.about(export):
        try:
            imported = import_cohort(program, fmt, export, dictionary, year, config_path)
        except ImportProblems as err:
            print(err, file=log)
            raise
        write_atomically(imported.responses, out)
        if waves_out:
            write_atomically(imported.waves, waves_out)
        if instances_out:
            write_atomically(imported.instances, instances_out)
    print(f"imported {len(imported.responses)} complete responses from {export} ({fmt})",
          file=log)


def import_job(input, output, params, wildcards, log_path: str) -> None:
    """The ``import_export`` job, called from the rule's ``run:`` block (in a worker thread
    of the Snakemake process, as validation): a failed import raises an ordinary error
    whose message lists every problem, which ``./run.sh`` shows."""
    from peermentor.ingest.config import load_program
    from peermentor.ingest.validate import CohortJobFailed

    with open(log_path, "w", encoding="utf-8") as log:
        try:
            run(program=load_program(input.program), fmt=params.format, export=input.export,
                dictionary=input.get("dictionary"), out=output.responses, log=log,
                waves_out=output.waves, instances_out=output.instances, year=wildcards.year,
                console=sys.stderr, config_path=input.program)
        except ImportProblems as err:
            raise CohortJobFailed(f"Import failed: {err}") from None
