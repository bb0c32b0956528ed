"""A Django app with a custom user model (AUTH_USER_MODEL), for the interop tests."""
