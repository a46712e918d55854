"""The REST API: one router per app, wired here, with auth, errors and the OpenAPI document."""
