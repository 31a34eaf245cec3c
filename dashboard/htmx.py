from django.utils.cache import patch_vary_headers


def page_or_fragment(request, template, fragment):
    """The fragment for a plain htmx request; the whole page for boosted, history or normal ones."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return f"{template}#{fragment}"
    return template


def vary_on_htmx(response):
    patch_vary_headers(response, ("HX-Request",))
    return response
