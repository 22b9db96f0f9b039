"""`python -m casegen`: the same command line as `casegen` (and what `python -X importtime -m casegen build`
measures)."""
from casegen.cli import main

if __name__ == "__main__":
    main()
