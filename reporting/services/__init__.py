"""Every write to reporting's own records (published bulletins, export jobs and logs, reminder
runs). The derived rollup tables are written by ``reporting.rollup`` only; the plan and its
figures by ``targets.services`` only."""
