"""The Qualtrics survey file (``.qsf``): what each column of an export holds.

A ``.qsf`` (Qualtrics: *Survey > Tools > Import/Export > Export Survey*) is JSON with one
``SQ`` element per question: its type (``MC``, ``Matrix``, ``RO``, ``Slider``, ``SBS``,
``TE``, ...), selector (single or multiple answer), choices (statements, for a matrix),
answers (a matrix's scale), recode values and export tags. An export's third header row
names each column's question by ImportId (``QID5``, ``QID5_2`` for statement or choice
2, ``QID5_TEXT``, ``QID5#1_2`` for column 1 of a side-by-side question), so with the
``.qsf`` the scaffold types every column exactly instead of guessing from the answers.

:func:`read_qsf` reads the file; :func:`describe` says what one export column is.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Question types that hold no answer (text, timing, page meta data, captcha, ...).
NOT_ANSWERS = {"DB", "Timing", "Meta", "Captcha", "FileUpload", "Draw", "HeatMap",
               "HotSpot", "Highlight", "Signature", "PGR"}
SINGLE_SELECTORS = {"SAVR", "SAHR", "SACOL", "DL", "SB", "NPS"}
MULTI_SELECTORS = {"MAVR", "MAHR", "MACOL", "MSB"}
_COLUMN = re.compile(r"^(QID\d+)(?:#(\d+))?(?:_(\w+?))?(?:_(TEXT))?$")


class QsfError(ValueError):
    """A file that is not a Qualtrics survey file."""


def plain(text) -> str:
    """A display text without its HTML (Qualtrics stores rich text)."""
    text = re.sub(r"<[^>]+>", " ", str(text or ""))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


@dataclass
class Question:
    """One question of the survey (``SQ`` element), as the export needs it."""

    qid: str
    tag: str  # DataExportTag, the column name's stem
    kind: str  # QuestionType
    selector: str
    sub_selector: str
    text: str
    choices: dict[str, str]  # choice id -> display (a matrix: its statements)
    answers: dict[str, str]  # answer id -> display (a matrix's scale)
    recodes: dict[str, str]  # choice (or a matrix's answer) id -> exported code
    choice_order: list[str]
    answer_order: list[str]
    configuration: dict = field(default_factory=dict)
    columns: dict[str, Question] = field(default_factory=dict)  # side by side: its columns

    def code(self, option: str) -> str:
        """The code a numeric export writes for a choice (or a matrix's answer)."""
        return str(self.recodes.get(option, option))


def _ordered(mapping: dict, order) -> list[str]:
    ids = [str(i) for i in (order or []) if str(i) in mapping]
    return ids + [i for i in mapping if i not in ids]


def _question(payload: dict) -> Question:
    choices = payload.get("Choices") or {}
    answers = payload.get("Answers") or {}
    if isinstance(choices, list):  # a question without choices exports []
        choices = {}
    if isinstance(answers, list):
        answers = {}
    recodes = payload.get("RecodeValues") or {}
    if payload.get("QuestionType") == "Matrix" and payload.get("RecodeValues"):
        recodes = payload["RecodeValues"]  # a matrix recodes its answers (the scale)
    question = Question(
        qid=str(payload.get("QuestionID", "")),
        tag=str(payload.get("DataExportTag") or payload.get("QuestionID", "")),
        kind=str(payload.get("QuestionType", "")),
        selector=str(payload.get("Selector") or ""),
        sub_selector=str(payload.get("SubSelector") or ""),
        text=plain(payload.get("QuestionText")),
        choices={str(k): plain((v or {}).get("Display")) for k, v in choices.items()},
        answers={str(k): plain((v or {}).get("Display")) for k, v in answers.items()},
        recodes={str(k): str(v) for k, v in (recodes or {}).items()},
        choice_order=_ordered({str(k): 1 for k in choices}, payload.get("ChoiceOrder")),
        answer_order=_ordered({str(k): 1 for k in answers}, payload.get("AnswerOrder")),
        configuration=payload.get("Configuration") or {},
    )
    for number, sub in (payload.get("AdditionalQuestions") or {}).items():
        column = _question({**sub, "QuestionID": f"{question.qid}#{number}"})
        if not column.choices:  # the statements are the parent's
            column.choices, column.choice_order = question.choices, question.choice_order
        question.columns[str(number)] = column
    return question


def read_qsf(path: str | Path) -> dict[str, Question]:
    """The questions of a ``.qsf``, by QuestionID; :class:`QsfError` if it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        elements = data["SurveyElements"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise QsfError(f"{path}: not a Qualtrics survey file (.qsf, JSON with "
                       f"SurveyElements): {err}") from None
    if isinstance(elements, dict):
        elements = list(elements.values())
    questions = {}
    for element in elements:
        if isinstance(element, dict) and element.get("Element") == "SQ":
            question = _question(element.get("Payload") or {})
            questions[question.qid] = question
    if not questions:
        raise QsfError(f"{path}: a Qualtrics survey file without questions")
    return questions


@dataclass
class Column:
    """What one export column holds, from the ``.qsf``."""

    question: Question  # the question, or a side-by-side question's column
    part: str | None  # a matrix statement, a ranked or rated choice; None: the question
    text_entry: bool  # a "_TEXT" column: typed text

    @property
    def statement(self) -> str | None:
        """The statement (or choice) of a multi-column question this column holds."""
        if self.part is None:
            return None
        return self.question.choices.get(self.part, self.part)


def describe(import_id: str, questions: dict[str, Question]) -> Column | None:
    """The question (and statement) behind an export column's ImportId, or None.

    >>> q = Question("QID5", "Q5", "Matrix", "Likert", "SingleAnswer", "Rate",
    ...              {"1": "Advice", "2": "Support"}, {"1": "Poor", "2": "Good"}, {}, ["1", "2"],
    ...              ["1", "2"])
    >>> column = describe("QID5_2", {"QID5": q})
    >>> column.question.qid, column.statement, column.text_entry
    ('QID5', 'Support', False)
    """
    match = _COLUMN.match(import_id.replace("-", "_"))  # 2016-17 exports: QID4-1
    if not match:
        return None
    qid, side, part, text = match.groups()
    question = questions.get(qid)
    if question is None:
        return None
    if side is not None:
        question = question.columns.get(side)
        if question is None:
            return None
    return Column(question, part, text is not None)
