"""`python -m casegen`: the casegen command (what `python -X importtime -m casegen build` measures)."""
from casegen.cli import main

main()
