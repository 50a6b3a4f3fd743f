"""Raw CSVs: the C-parser fast path reads exactly what the line-tracking reader reads.

Expected tables and line numbers are typed by hand from the file texts below.
"""

from __future__ import annotations

import pandas as pd
import pytest

from peermentor.ingest import validate
from peermentor.ingest.validate import CohortValidationError, read_raw_table

# (file bytes, expected rows as dicts (None = missing), expected file line of each row)
PLAIN = {
    "comma, LF": (b"respondent_id,role,sat\nR1,mentor,4\nR2,mentee,\n",
                  [{"respondent_id": "R1", "role": "mentor", "sat": "4"},
                   {"respondent_id": "R2", "role": "mentee", "sat": None}], [2, 3]),
    "BOM, CRLF, semicolons, no final newline": (
        "\ufeffrespondent_id;role;note\r\nR1;mentor;Ça va\r\nR2;mentee; x ".encode(),
        [{"respondent_id": "R1", "role": "mentor", "note": "Ça va"},
         {"respondent_id": "R2", "role": "mentee", "note": " x "}], [2, 3]),
    "tabs, trailing blank lines": (b"respondent_id\trole\nR1\tmentor\n\n\n",
                                   [{"respondent_id": "R1", "role": "mentor"}], [2]),
}
# Files the fast path must hand to the line-tracking reader.
NOT_PLAIN = {
    "quoted comma": (b'respondent_id,role,note\nR1,mentor,"a, b"\n',
                     [{"respondent_id": "R1", "role": "mentor", "note": "a, b"}], [2]),
    "blank line inside": (b"respondent_id,role\nR1,mentor\n\nR2,mentee\n",
                          [{"respondent_id": "R1", "role": "mentor"},
                           {"respondent_id": "R2", "role": "mentee"}], [2, 4]),
    "line of bare separators": (b"respondent_id,role\n , \nR2,mentee\n",
                                [{"respondent_id": "R2", "role": "mentee"}], [3]),
    "quoted line break": (b'respondent_id,note\nR1,"two\nlines"\nR2,x\n',
                          [{"respondent_id": "R1", "note": "two\nlines"},
                           {"respondent_id": "R2", "note": "x"}], [2, 4]),
}


def read(tmp_path, content: bytes):
    path = tmp_path / "responses.csv"
    path.write_bytes(content)
    return read_raw_table(path)


def rows(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()}
            for r in frame.to_dict("records")]


@pytest.mark.parametrize("name", list(PLAIN) + list(NOT_PLAIN))
def test_both_readers_give_the_typed_table(tmp_path, monkeypatch, name):
    content, expected, lines = {**PLAIN, **NOT_PLAIN}[name]
    body = content.decode("utf-8-sig")
    delimiter = ";" if ";" in body.splitlines()[0] else "\t" if "\t" in body else ","
    assert (validate._plain_lines(content, delimiter) is not None) == (name in PLAIN)
    fast = read(tmp_path, content)
    assert rows(fast.frame) == expected and list(fast.lines) == lines
    monkeypatch.setattr(validate, "_plain_lines", lambda raw, delimiter: None)
    slow = read(tmp_path, content)
    assert rows(slow.frame) == expected and list(slow.lines) == lines
    assert fast.frame.equals(slow.frame)
    assert list(fast.frame.dtypes) == list(slow.frame.dtypes)


@pytest.mark.parametrize(("content", "line", "words"), [
    (b"respondent_id,role,sat\nR1,mentor,4\nR2,mentee\n", 3, "has 2 fields but the header has 3"),
    (b"respondent_id,role\nR1,mentor\nR2,mentee,5\n", 3, "has 3 fields but the header has 2"),
    # a lone carriage return ends a line for the csv module: 'tee' is then line 4
    (b"respondent_id,role\nR1,mentor\r\nR2,men\rtee\n", 4, "has 1 fields but the header has 2"),
])
def test_ragged_or_odd_lines_fall_back_and_are_named(tmp_path, content, line, words):
    assert validate._plain_lines(content, ",") is None
    with pytest.raises(CohortValidationError) as err:
        read(tmp_path, content)
    (failure,) = err.value.failures
    assert failure.line == line and words in failure.rule


def test_header_only_file_reads_as_empty_table(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_bytes(b"segment_id,role\n")
    table = read_raw_table(path, require_rows=False)
    assert list(table.frame.columns) == ["segment_id", "role"] and len(table.frame) == 0
    with pytest.raises(CohortValidationError, match="header but no data rows"):
        read_raw_table(path)


def test_fast_path_checks_every_line_across_chunk_boundaries(tmp_path, monkeypatch):
    chunks = validate._chunks
    monkeypatch.setattr(validate, "_chunks", lambda body: chunks(body, size=7))
    lines = [b"respondent_id,role"] + [b"R%d,mentor" % i for i in range(1, 40)]
    good = b"\r\n".join(lines) + b"\r\n"
    table = read(tmp_path, good)
    assert len(table.frame) == 39 and list(table.lines) == list(range(2, 41))
    assert table.frame["respondent_id"].iloc[-1] == "R39"
    lines[30] = b"R30"  # line 31 is short
    assert validate._plain_lines(b"\n".join(lines), ",") is None
    with pytest.raises(CohortValidationError) as err:
        read(tmp_path, b"\n".join(lines))
    assert [f.line for f in err.value.failures] == [31]
