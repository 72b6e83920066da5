"""Job execution on DBOS (docs/architecture.md "Execution"): job workflow, agent loop, tools and
connections, gates, retries, budgets and loop guard, case dispatch, schedules, triggers.

Not built yet: issue #2 lays the foundation (imported runs); execution comes in later issues.
"""
