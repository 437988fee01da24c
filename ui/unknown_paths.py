"""Unknown nested paths such as /a/b lead to a page, not to a blank one.

Streamlit answers every path it does not know with its index.html, whose scripts are
relative (`./static/js/...`). At /a they resolve to /static/js/..., and Streamlit
shows "Page not found" over the home page. At /a/b they resolve to /a/static/js/...,
which is again index.html, so the browser refuses the "script" and the page stays
blank forever (and Streamlit's client only looks for its server at /a/b and /a).

`NestedPathRedirect` answers a GET or HEAD of such a path with a redirect to the
same path as one segment, its slashes encoded (`/a/b?x=1` -> `/a%2Fb?x=1`): there the
scripts load and Streamlit itself says that the page does not exist and shows the
home page. Paths Streamlit serves (`/_stcore/...`, `/static/...`, `/media/...`,
`/component/...`, its files such as `/favicon.png`) are never touched.

`install()` adds it to the server `python -m ui.serve` starts (`make run`, the
container), through Streamlit's own factory of the Starlette app, the one place where
`streamlit run` builds it. `streamlit run app.py` alone keeps Streamlit's behaviour.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

LOGGER = logging.getLogger("rnn_stepper")

__all__ = ["NestedPathRedirect", "install", "redirect_target"]

# Characters a path segment keeps as they are (RFC 3986 pchar, and "%" of escapes).
_SEGMENT_SAFE = "%!$&'()*+,;=:@-._~"


def redirect_target(
    raw_path: str, query: bytes, served: frozenset[str], base: str = ""
) -> str | None:
    """Where a GET of `raw_path` should go instead, or None to let Streamlit answer.

    Args:
        raw_path: the request's path as sent, still percent-encoded (so that the
            target, /a%2Fb, is one segment and is not redirected again).
        query: the raw query string.
        served: the first path segments Streamlit itself serves under.
        base: `server.baseUrlPath` without slashes ("" by default).

    Returns:
        The path as one segment plus the query, or None when `raw_path` has fewer
        than two segments, lies outside `base`, is Streamlit's, or starts with
        "//", holds a backslash, "." or ".." (Streamlit refuses those itself).
    """
    prefix = f"/{quote(base)}" if base else ""
    if prefix and not (raw_path == prefix or raw_path.startswith(prefix + "/")):
        return None
    segments = [s for s in raw_path[len(prefix) :].split("/") if s]
    if len(segments) < 2 or unquote(segments[0]) in served:
        return None
    if unquote(segments[1]) in served:
        # A page's own probe such as /Step_through_time/_stcore/health: Streamlit's
        # client looks for its server under the page's path first and then falls
        # back to the root by itself; a redirect would only change the 404's URL.
        return None
    decoded = unquote(raw_path)
    if decoded.startswith("//") or "\\" in decoded:
        return None  # Streamlit answers 400: never a redirect that looks like a host
    if any(unquote(s) in (".", "..") for s in segments):
        return None
    # Re-quoted so that nothing but the segment's own characters reach Location.
    one_segment = "%2F".join(quote(s, safe=_SEGMENT_SAFE) for s in segments)
    target = f"{prefix}/{one_segment}"
    return f"{target}?{query.decode('latin-1')}" if query else target


class NestedPathRedirect:
    """ASGI middleware: redirects unknown nested paths (see the module's docstring)."""

    def __init__(self, app: Any, served: frozenset[str], base: str = "") -> None:
        self.app = app
        self._served = served
        self._base = base.strip("/")

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD"):
            raw = scope.get("raw_path") or scope.get("path", "").encode()
            target = redirect_target(
                raw.decode("latin-1").split("?", 1)[0],
                scope.get("query_string", b""),
                self._served,
                self._base,
            )
            if target is not None:
                from starlette.responses import RedirectResponse

                response = RedirectResponse(
                    target, status_code=302, headers={"Cache-Control": "no-cache"}
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _first_segments(app: Any, base: str) -> set[str]:
    """The first path segments of Streamlit's routes and of its static files."""
    from streamlit import file_util

    segments: set[str] = set()
    prefix = f"/{base}" if base else ""
    for route in getattr(app, "routes", ()):
        path = getattr(route, "path", "")
        rest = path[len(prefix) :] if prefix and path.startswith(prefix) else path
        first = rest.strip("/").split("/", 1)[0]
        if first and "{" not in first:
            segments.add(first)
    static_dir = file_util.get_static_dir()
    if os.path.isdir(static_dir):
        segments.update(os.listdir(static_dir))  # index.html, favicon.png, static
    return segments


def install() -> bool:
    """Add `NestedPathRedirect` to the Starlette app `streamlit run` will build.

    Wraps `create_starlette_app` of Streamlit's server module (whatever is there,
    so other wrappers stay). Returns False, and logs why, when this Streamlit has no
    such factory: the server then starts as before.
    """
    try:
        from streamlit import config
        from streamlit.web.server.starlette import starlette_server
    except ImportError:
        LOGGER.warning("unknown-path redirect not installed: no Starlette server")
        return False
    create = getattr(starlette_server, "create_starlette_app", None)
    if create is None:
        LOGGER.warning("unknown-path redirect not installed: no create_starlette_app")
        return False

    def create_with_redirect(*args: Any, **kwargs: Any) -> Any:
        app = create(*args, **kwargs)
        base = (config.get_option("server.baseUrlPath") or "").strip("/")
        served = frozenset(_first_segments(app, base))
        app.add_middleware(NestedPathRedirect, served=served, base=base)
        return app

    starlette_server.create_starlette_app = create_with_redirect
    return True
