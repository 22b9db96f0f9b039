"""Building documents from intake workbooks, many at a time (`batch.build`): the one check of every command
(`batch.check`), the manifest, the lock, history, redlines and changes."""
