"""Reports a complaint centre is run on (DOMAIN.md §5): the weekly report with its
penalty bulletin, the monthly analysis, early warnings.

model      the report as data (pydantic): what the figures, the renderers and the flows share
periods    weeks and months in the policy's time zone, as UTC bounds
figures    the weekly figures, by SQL grouped in the database
monthly    the monthly analysis: trends, root causes, actions, satisfaction, top issues
penalties  the penalty bulletin: per person, per department (rate brackets), suspensions
volumes    business volume per department and month (data/volume.csv, the volume form)
warnings   early warnings, each raised once
"""
