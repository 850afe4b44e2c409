"""requirements.in parsing, validation (file:line on every refusal), normal form and appending."""

from __future__ import annotations

import pytest

from lock.errors import InputError
from lock.requirements_in import append_specs, logical_lines, parse_spec, parse_tree


def tree(root):
    return parse_tree(root, root / "requirements.in")


def test_logical_lines_drop_comments_join_continuations_keep_url_fragments():
    text = (
        "# a comment\n"
        "\n"
        "six  # trailing comment\n"
        "numpy \\\n"
        "  >=2\n"
        "pkg @ https://example.org/pkg-1.0-py3-none-any.whl#sha256=" + "a" * 64 + "\n"
    )
    assert logical_lines(text) == [
        (3, "six"),
        (4, "numpy   >=2"),
        (6, "pkg @ https://example.org/pkg-1.0-py3-none-any.whl#sha256=" + "a" * 64),
    ]


def test_includes_are_relative_to_the_including_file(project):
    root = project(
        "six\n-r deps/dev.in\n-c constraints.txt\n",
        files={
            "deps/dev.in": "attrs[tests]\n-r more.in\n",
            "deps/more.in": "idna ; python_version >= '3.8'\n",
            "constraints.txt": "attrs<24\n",
        },
    )
    inputs = tree(root)
    assert [(f.kind, f.rel) for f in inputs.files] == [
        ("-r", "requirements.in"),
        ("-r", "deps/dev.in"),
        ("-r", "deps/more.in"),
        ("-c", "constraints.txt"),
    ]
    assert [s.name for s in inputs.specs] == ["six", "attrs", "idna"]
    assert [s.name for s in inputs.constraints] == ["attrs"]
    assert inputs.specs[2].where == "deps/more.in:1"
    assert inputs.files[0].normal == ["six", "-r deps/dev.in", "-c constraints.txt"]
    assert inputs.files[2].normal == ['idna; python_version >= "3.8"']


def test_normal_form_ignores_comments_spacing_and_name_spelling(project, tmp_path):
    a = tree(project("# numbers\nNumPy >= 2 , <3   # pinned below 3\n\nPandas[Excel]\n"))
    b = tree(project("numpy<3,>=2\npandas[excel]\n"))
    assert a.files[0].sha256 == b.files[0].sha256
    c = tree(project("pandas[excel]\nnumpy<3,>=2\n"))  # order can steer the resolver: it counts
    assert c.files[0].sha256 != a.files[0].sha256


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("-e .", "requirements.in:2: editable requirement"),
        ("--editable ./pkg", "requirements.in:2: editable requirement"),
        ("git+https://github.com/pallets/flask", "requirements.in:2: VCS requirement"),
        ("flask @ git+https://github.com/pallets/flask@main", "requirements.in:2: VCS requirement"),
        (
            "pkg @ https://example.org/pkg-1.0.tar.gz",
            "requirements.in:2: URL requirement 'pkg @ https://example.org/pkg-1.0.tar.gz' has no #sha256= hash",
        ),
        ("https://example.org/pkg-1.0-py3-none-any.whl", "requirements.in:2: bare URL"),
        ("pkg @ http://example.org/pkg-1.0-py3-none-any.whl#sha256=" + "a" * 64, "must use https://"),
        ("./vendor/pkg", "requirements.in:2: local path"),
        ("/opt/wheels/pkg-1.0-py3-none-any.whl", "requirements.in:2: local path"),
        ("pkg-1.0-py3-none-any.whl", "requirements.in:2: local path"),
        ("pkg @ file:///opt/pkg", "requirements.in:2: local path"),
        ("--index-url https://example.org/simple", "requirements.in:2: unknown option '--index-url'"),
        ("-i https://example.org/simple", "requirements.in:2: unknown option '-i'"),
        ("--pre", "requirements.in:2: unknown option '--pre'"),
        ("-f /opt/wheels", "requirements.in:2: unknown option '-f'"),
        (
            "six==1.16.0 --hash=sha256:abc",
            "requirements.in:2: 'six==1.16.0 --hash=sha256:abc': per-requirement options",
        ),
        ("numpy>>2", "requirements.in:2: malformed requirement 'numpy>>2'"),
        ("nonsense!!", "requirements.in:2: malformed requirement 'nonsense!!'"),
        ("-r", "requirements.in:2: -r needs a file name"),
        ("-r missing.in", "requirements.in:2: included file missing.in not found"),
        ("-r https://example.org/reqs.txt", "remote requirement files"),
    ],
)
def test_refused_lines_name_file_and_line(project, line, expected):
    root = project(f"# first line\n{line}\n")
    with pytest.raises(InputError) as e:
        tree(root)
    assert expected in str(e.value)
    assert "\n" not in str(e.value)


def test_url_with_sha256_is_accepted(project):
    url = "https://example.org/pkg-1.0-py3-none-any.whl#sha256=" + "a" * 64
    inputs = tree(project(f"pkg @ {url}\n"))
    assert inputs.specs[0].requirement.url == url


def test_error_in_an_included_file_names_that_file(project):
    root = project("six\n-r dev.in\n", files={"dev.in": "attrs\n\n-e ./local\n"})
    with pytest.raises(InputError, match=r"^dev.in:3: editable requirement"):
        tree(root)


def test_include_cycle_is_refused(project):
    root = project("-r a.in\n", files={"a.in": "-r requirements.in\n"})
    with pytest.raises(InputError, match="a.in:1: include cycle"):
        tree(root)


def test_missing_requirements_in(tmp_path):
    with pytest.raises(InputError, match=r"^requirements.in: not found"):
        parse_tree(tmp_path, tmp_path / "requirements.in")


def test_option_spellings(project):
    root = project(
        "-rdev.in\n--requirement=other.in\n--constraint c.txt\n",
        files={"dev.in": "six\n", "other.in": "attrs\n", "c.txt": "six<2\n"},
    )
    assert [(f.kind, f.rel) for f in tree(root).files] == [
        ("-r", "requirements.in"),
        ("-r", "dev.in"),
        ("-r", "other.in"),
        ("-c", "c.txt"),
    ]


def test_parse_spec_for_command_line_arguments():
    assert parse_spec("Pandas[Excel] >= 2", "lock add").normal == "pandas[excel]>=2"
    with pytest.raises(InputError, match=r"^lock add: malformed requirement"):
        parse_spec("pandas>>2", "lock add")


def test_top_text_replaces_the_file_content(project):
    root = project("six\n")
    inputs = parse_tree(root, root / "requirements.in", top_text="six\nattrs\n")
    assert [s.name for s in inputs.specs] == ["six", "attrs"]
    assert (root / "requirements.in").read_text() == "six\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "attrs\n"),
        ("# comment\nsix\n", "# comment\nsix\nattrs\n"),
        ("six", "six\nattrs\n"),
        ("six \\\n", "six \\\n\nattrs\n"),
    ],
)
def test_append_keeps_everything_and_adds_at_the_end(before, after):
    assert append_specs(before, ["attrs"]) == after
