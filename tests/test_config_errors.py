"""A mistyped programme config is named at the line of the mistake, with the fix."""

from __future__ import annotations

import pytest
from conftest import USER_PROGRAM

from peermentor.ingest.config import ConfigError, load_program

#: (what is typed wrong, the line as typed, the line named, words of the cause)
CASES = [
    ("title: A user's", 'title: "A user\'s', 2, "the quote opened at column 8 is not closed"),
    ("title: A user's own cohort (test fixture)", "title: 'A users own cohort", 2,
     "the quote opened at column 8 is not closed"),
    ("institution: Test U", "institution Test U", 3, "this line is not 'key: value'"),
    ("  - {id: again", "\t- {id: again", 12, "a tab character"),
    ("design: 1:1 peer mentoring", "design: Peer mentoring: 1 to 1", 5,
     "a ': ' inside a value: put the whole value in quotes"),
    ("  - {id: again", "   - {id: again", 12, "does not line up with the lines above it"),
    ("roles: {mentor: Mentors, mentee: Mentees}", "roles: {mentor: Mentors, mentee: Mentees",
     6, "a '{' or '[' opened on this line is not closed"),
]


@pytest.mark.parametrize(("good", "bad", "line", "cause"), CASES)
def test_yaml_syntax_error_named_at_its_line(tmp_path, good, bad, line, cause):
    assert good in USER_PROGRAM
    path = tmp_path / "user-crlf.yaml"
    path.write_text(USER_PROGRAM.replace(good, bad, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_program(path)
    message = str(info.value)
    assert message.startswith(f"{path}, line {line}: "), message
    assert cause in message
    shown = USER_PROGRAM.replace(good, bad, 1).splitlines()[line - 1]
    assert message.endswith(f"{line:>3} | {shown}"), message


def test_schema_errors_name_the_line(tmp_path):
    path = tmp_path / "user-crlf.yaml"
    path.write_text(USER_PROGRAM.replace("scale: {min", "scael: {min"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_program(path)
    assert "line 10, at codebook/0: Additional properties are not allowed ('scael' was " \
        "unexpected)" in str(info.value)


def test_cached_configs_follow_their_files_and_their_checks(tmp_path, monkeypatch):
    """The start-up cache of checked programme configs (load_programs(cache=...)) gives
    what load_program gives, sees an edited file, never hides a broken one, and is
    dropped when the checks change."""
    from peermentor.ingest import config

    path, cache = tmp_path / "user-crlf.yaml", tmp_path / "cache" / "programs.pickle"
    path.write_text(USER_PROGRAM, encoding="utf-8")
    assert config.load_programs([path], cache=cache) == {"user-crlf": load_program(path)}
    assert cache.is_file()
    path.write_text(USER_PROGRAM.replace("title: A user's", "title: Edited, a user's", 1),
                    encoding="utf-8")
    assert config.load_programs([path], cache=cache)["user-crlf"]["title"].startswith(
        "Edited")
    path.write_text(USER_PROGRAM.replace("institution: Test U", "institution Test U", 1),
                    encoding="utf-8")
    for _ in range(2):  # a failed load is not cached: the error shows at every start
        with pytest.raises(ConfigError, match=r"line 3: this line is not 'key: value'"):
            config.load_programs([path], cache=cache)
    path.write_text(USER_PROGRAM, encoding="utf-8")
    config.load_programs([path], cache=cache)
    # the same file with other checks: read and checked again, not taken from the cache
    monkeypatch.setattr(config, "_checks_stamp", lambda: "other checks")
    monkeypatch.setattr(config, "load_program", lambda p: {"checked again": str(p)})
    assert config.load_programs([path], cache=cache) == {"user-crlf": {"checked again": str(path)}}
