"""Developer tools, apart from the daily pipeline: the replay server of the source sites and
the one-page extraction behind ``policywatch extract``."""
