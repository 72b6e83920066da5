"""Tests of the read side: the daily check, its checks, statistics and report."""
