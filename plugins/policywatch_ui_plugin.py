"""Airflow's plugins folder: policywatch's plugin (the Sources page, the runs' digest notes) lives in
policywatch_airflow/plugin.py; Airflow loads it from here.

Airflow imports each file here under its stem as a top-level module (sys.modules[stem]): a file
named like a package of the project (policywatch.py) would hide that package from every task."""

from policywatch_airflow.plugin import PolicywatchPlugin

__all__ = ["PolicywatchPlugin"]
