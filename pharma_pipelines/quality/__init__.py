"""Quality: data-quality rules as pure functions, independent of Dagster."""
