"""`python -m tapline` is the `tapline` command."""

from tapline.cli import app

app()
