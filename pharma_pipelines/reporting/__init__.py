"""What a planner reads about a schedule: KPIs, the Gantt picture, what moved.

Plain Python over the scheduling model, with no Dagster, so the asset layer and the tests
call the same functions; the asset only puts the results into metadata.
"""
