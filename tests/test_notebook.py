"""A Derivation in a notebook: typeset maths in its rich display, one line of plain text."""
from __future__ import annotations

import nbformat
from nbclient import NotebookClient


def test_a_derivation_displays_typeset_in_a_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from derive import catalogue\n"
                                          "catalogue.get('sigmoid-binary-cross-entropy')")]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    [output] = [o for o in nb.cells[0].outputs if o.output_type == "execute_result"]
    data = output["data"]
    assert data["text/latex"].startswith("$$\\begin{aligned}") and data["text/latex"].endswith("$$")
    assert "$$\n\\begin{aligned}" in data["text/markdown"]
    assert r"\sigma(z) - y" in data["text/latex"]
    plain = data["text/plain"]
    assert "\n" not in plain and "sigmoid-binary-cross-entropy" in plain and "13 steps" in plain
    assert len(plain) < 200
