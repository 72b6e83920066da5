"""The read side: the daily check and its findings, failure clustering, baselines."""
