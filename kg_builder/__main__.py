"""python -m kg_builder: the same as the kg command."""

from .cli import main

main(prog_name="kg")
