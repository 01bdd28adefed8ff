"""The half-yearly quality report and the annual supervision report: compile task, snapshots,
PDF rendering. The top of the dependency chain."""
