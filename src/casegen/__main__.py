"""`python -m casegen`: the same command line as `casegen`."""
from casegen.cli import main

if __name__ == "__main__":
    main()
