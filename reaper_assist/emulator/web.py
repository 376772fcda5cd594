"""REAPER's web interface, the part reapy uses (reapy_behaviour 2.7):

* ``GET /_/GET/EXTSTATE/<section>/<key>`` -> ``EXTSTATE\t<section>\t<key>\t<value>\n``
  (REAPER escapes tab and newline in the value as ``\\t`` / ``\\n``; the trailing newline is
  mandatory, reapy strips one character);
* ``GET /_/SET/EXTSTATE/<section>/<key>/<value>``;
* ``GET /_/GET/PROJEXTSTATE/<section>/<key>`` -> ``PROJEXTSTATE\t<section>\t<key>\t<value>\n`` and
  ``GET /_/SET/PROJEXTSTATE/<section>/<key>/<value>`` (the current project's ExtState);
* ``GET /_/<command>[;<command>...]`` runs actions (numeric or ``_RS...`` named) on the main thread.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _escape(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class WebInterface:
    def __init__(self, host: str, port: int, *, get_ext: Callable[[str, str], str | None],
                 set_ext: Callable[[str, str, str], None], run_on_main: Callable[[str], None],
                 get_proj_ext: Callable[[str, str], str | None] | None = None,
                 set_proj_ext: Callable[[str, str, str], None] | None = None):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_GET(self):
                path = urllib.parse.unquote(self.path)
                body = outer.handle(path)
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.get_ext, self.set_ext, self.run_on_main = get_ext, set_ext, run_on_main
        self.get_proj_ext, self.set_proj_ext = get_proj_ext, set_proj_ext
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="web-interface", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handle(self, path: str) -> str:
        if not path.startswith("/_/"):
            return ""
        out = []
        for cmd in path[3:].split(";"):
            parts = cmd.split("/")
            if len(parts) >= 4 and parts[0] == "GET" and parts[1] == "EXTSTATE":
                v = self.get_ext(parts[2], "/".join(parts[3:]))
                out.append(f"EXTSTATE\t{parts[2]}\t{'/'.join(parts[3:])}\t{_escape(v or '')}\n")
            elif len(parts) >= 5 and parts[0] == "SET" and parts[1] == "EXTSTATE":
                self.set_ext(parts[2], parts[3], "/".join(parts[4:]))
            elif len(parts) >= 4 and parts[0] == "GET" and parts[1] == "PROJEXTSTATE" and self.get_proj_ext:
                key = "/".join(parts[3:])
                out.append(f"PROJEXTSTATE\t{parts[2]}\t{key}\t{_escape(self.get_proj_ext(parts[2], key) or '')}\n")
            elif len(parts) >= 5 and parts[0] == "SET" and parts[1] == "PROJEXTSTATE" and self.set_proj_ext:
                self.set_proj_ext(parts[2], parts[3], "/".join(parts[4:]))
            elif cmd:
                self.run_on_main(cmd)
        return "".join(out)
