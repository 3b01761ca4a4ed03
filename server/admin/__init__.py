"""The operator admin API under /admin/api: token authentication, roles, sources, jobs, audit log.

See docs/admin-api.md for the routes, the roles and the error codes.
"""
