"""The co-browse frame: its own CSP lets rrweb's styles in, never a script; the desk's stays."""

from __future__ import annotations

from support import World
from tapline.web.pages import STATIC
from tapline.web.security import COBROWSE_FRAME

FRAME_FILES = ("cobrowse-frame.html", "cobrowse-frame.css", "cobrowse.css")


def _csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_the_frame_has_its_own_csp_with_no_script_but_its_own(world: World) -> None:
    response = world.client.get(COBROWSE_FRAME)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = _csp(response.headers["content-security-policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'none'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]  # rrweb rebuilds styles inline
    assert csp["connect-src"] == ["'none'"]  # the replayed page can call no one
    assert csp["img-src"] == ["'self'", "data:"]  # nor load the customer's site's images
    assert csp["frame-ancestors"] == ["'self'"]
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]


def test_the_desk_and_the_frame_files_keep_the_strict_csp(world: World) -> None:
    for path in ("/desk", "/desk/assets/cobrowse-frame.css", "/desk/assets/cobrowse.css"):
        response = world.client.get(path)
        assert response.status_code == 200, path
        csp = _csp(response.headers["content-security-policy"])
        assert csp["style-src"] == ["'self'"], path
        assert csp["frame-ancestors"] == ["'none'"], path
        assert response.headers["x-frame-options"] == "DENY", path


def test_the_frame_page_has_no_inline_script_or_style() -> None:
    html = (STATIC / "desk" / "cobrowse-frame.html").read_text()
    assert '<script src="cobrowse-frame.js" defer></script>' in html
    assert "<style" not in html and " style=" not in html and " on" not in html.lower()
    for name in FRAME_FILES:
        assert (STATIC / "desk" / name).exists(), name
