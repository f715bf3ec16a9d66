"""The JSON API: the apps' routers assembled into one API and one OpenAPI document."""
