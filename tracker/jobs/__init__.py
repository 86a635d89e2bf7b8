"""The scheduler's jobs: the runner that holds each job's lock and records its runs, the
APScheduler process, the jobs themselves and their commands."""
