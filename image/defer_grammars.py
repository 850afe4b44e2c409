"""Builder step: rfc3987-syntax builds its 38 Earley parsers when used, not when imported.

`import jsonschema` imports rfc3987_syntax (its "iri" format check), and the server imports
jsonschema through jupyter-events at every start: rfc3987-syntax 1.1.0 compiles its grammar 38
times at import, 1.1 s of a 1.7 s cold start on 2 cores (docs/benchmarks/breakdown.md). Each parser is
now built by the first validation that needs it (functools.cache), with the same grammar, start
rule and parser type, so every answer stays the same; the check at the end proves it on valid and
invalid IRIs. A new version whose text differs fails the build here, naming the file: look at
it, then adapt or drop this step.
"""

import importlib.util
import os
import pathlib
import subprocess
import sys

SPEC = importlib.util.find_spec("rfc3987_syntax")
HELPERS = pathlib.Path(SPEC.origin).parent / "syntax_helpers.py"

EDITS = [
    ("from lark import Lark, ParseTree, exceptions\n",
     "import functools\n\nfrom lark import Lark, ParseTree, exceptions\n"),
    ('syntax_parser = Lark(grammar, start=["iri", "iri_reference", "absolute_iri"], parser=RFC3987_SYNTAX_PARSER_TYPE)\n',
     "class _DeferredParser:\n"
     "    # jupyterlab-minimalist: built on first use, not at import.\n"
     "    @functools.cached_property\n"
     "    def _parser(self):\n"
     '        return Lark(grammar, start=["iri", "iri_reference", "absolute_iri"], parser=RFC3987_SYNTAX_PARSER_TYPE)\n'
     "\n"
     "    def __getattr__(self, name):\n"
     "        return getattr(self._parser, name)\n"
     "\n"
     "\n"
     "syntax_parser = _DeferredParser()\n"),
    ("    parser = Lark(grammar, start=rule_name, parser=RFC3987_SYNTAX_PARSER_TYPE)\n\n"
     "    def syntax_validator(text):\n"
     "        try:\n"
     "            parser.parse(text)\n",
     "    # jupyterlab-minimalist: built on first use, not at import.\n"
     "    @functools.cache\n"
     "    def parser():\n"
     "        return Lark(grammar, start=rule_name, parser=RFC3987_SYNTAX_PARSER_TYPE)\n\n"
     "    def syntax_validator(text):\n"
     "        try:\n"
     "            parser().parse(text)\n"),
]

CHECK = """
import time
start = time.perf_counter()
import rfc3987_syntax as r
imported = time.perf_counter() - start
assert r.is_valid_syntax("iri", "https://example.org/a?b#c") is True
assert r.is_valid_syntax("iri", "not an iri") is False
assert r.is_valid_syntax_iri("https://example.org/ä") is True
assert r.is_valid_syntax_ipv4address("256.1.1.1") is False
assert r.syntax_parser.parse("https://example.org", start="iri").data == "iri"
import jsonschema
checker = jsonschema.FormatChecker()
assert checker.conforms("https://example.org", "iri") and not checker.conforms("not an iri", "iri")
print(f"rfc3987_syntax imports in {imported:.3f} s")
"""


def main() -> None:
    text = HELPERS.read_text(encoding="utf-8")
    for old, new in EDITS:
        if text.count(old) != 1:
            sys.exit(f"{HELPERS}: expected once, found {text.count(old)} times: {old.splitlines()[0]!r} "
                     "(a new rfc3987-syntax? see image/defer_grammars.py)")
        text = text.replace(old, new)
    HELPERS.write_text(text, encoding="utf-8")
    # The check imports jsonschema, and with it compiled extensions (rpds): those of the target's
    # wheels cannot load in a builder that runs on another platform. The image's tests run it there.
    if os.environ.get("TARGETPLATFORM", "") != os.environ.get("BUILDPLATFORM", ""):
        print(f"defer_grammars: check skipped, built for {os.environ['TARGETPLATFORM']} on {os.environ['BUILDPLATFORM']}")
        return
    subprocess.run([sys.executable, "-c", CHECK], check=True)


if __name__ == "__main__":
    main()
