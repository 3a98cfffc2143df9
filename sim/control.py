"""Client of the simulator's JSON control API, for the CLI, tests and demos.

It finds the API through ``RUN_DIR/control.json`` written by ``kiosk-sim up``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TIMEOUT_S = 10.0


class ControlError(RuntimeError):
    """The simulator refused a request (unknown device, fault or action) or is not running."""


class SimControl:
    """Talks to a running simulator's control API."""

    def __init__(self, run_dir: Path) -> None:
        info = run_dir / "control.json"
        try:
            self.url = json.loads(info.read_text(encoding="utf-8"))["url"]
        except FileNotFoundError:
            raise ControlError(f"no simulator is running in {run_dir} "
                               f"(start one with: kiosk-sim up --dir {run_dir})") from None

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read()).get("error", str(exc))
            except ValueError:
                message = str(exc)
            raise ControlError(message) from None
        except urllib.error.URLError as exc:
            raise ControlError(f"simulator not reachable at {self.url}: {exc.reason}") from None

    def state(self) -> dict[str, Any]:
        return self._call("GET", "/state")  # type: ignore[no-any-return]

    def fault(self, device: str, fault: str, active: bool = True,
              params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._call("POST", "/fault", {"device": device, "fault": fault,  # type: ignore[no-any-return]
                                             "active": active, "params": dict(params or {})})

    def act(self, device: str, action: str,
            params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self._call("POST", "/action", {"device": device, "action": action,  # type: ignore[no-any-return]
                                              "params": dict(params or {})})
