"""Printers and documents: LaTeX, Markdown."""
