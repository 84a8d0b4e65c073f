"""python -m kg_builder.cli: the same as the kg command."""

from . import main

main(prog_name="kg")
