"""Airflow's plugins folder: policywatch's plugin (the Sources page, the runs' digest notes) lives in
policywatch_airflow/plugin.py; Airflow loads it from here."""

from policywatch_airflow.plugin import PolicywatchPlugin

__all__ = ["PolicywatchPlugin"]
