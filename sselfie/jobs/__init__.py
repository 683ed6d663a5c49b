"""Provider jobs, in one home: inbound webhooks and their dedupe, polling, durable retries,
stale-task recovery and housekeeping, for every kind of job the apps register.

The apps sit above this package: they register their job kinds (``kinds.register``) and
housekeeping (``housekeeping.register``) in ``AppConfig.ready()``; nothing here imports an
app by name. See docs/jobs.md.
"""
