"""The servers and their launcher: what `heupwijzer run` starts."""
