"""`make lab`: JupyterLab in the project's environment lists the notebooks, and one runs cell by cell."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from conftest import REPO

websocket = pytest.importorskip("websocket")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A headless JupyterLab on loopback, rooted at the project, as `make lab` starts it."""
    port, token = free_port(), uuid.uuid4().hex
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), "ALLIANCE_BOOK_ROOT": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
                             f"--ServerApp.token={token}", f"--ServerApp.root_dir={REPO}", "--ServerApp.open_browser=False"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            assert proc.poll() is None, "JupyterLab exited"
            assert time.monotonic() < deadline, "JupyterLab did not start"
            time.sleep(0.5)
    yield base, token
    proc.terminate()
    proc.wait(timeout=30)


def api(base: str, token: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(f"{base}{path}?token={token}", method="POST" if body is not None else "GET",
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def test_the_notebooks_are_listed(server):
    base, token = server
    listed = {item["name"] for item in api(base, token, "/api/contents/notebooks")["content"]}
    assert {p.name for p in (REPO / "notebooks").glob("*.ipynb")} <= listed


def execute(ws: websocket.WebSocket, code: str) -> list[dict]:
    """Run code in the kernel behind ``ws``; return the iopub messages of that request."""
    msg_id, session = uuid.uuid4().hex, uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": session, "msg_type": "execute_request",
                   "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}}))
    seen = []
    while True:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        seen.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return seen


def test_a_source_notebook_runs_cell_by_cell_from_its_own_folder_with_its_defaults(server):
    base, token = server
    notebook = Path("notebooks") / "04_nato_indo_pacific.ipynb"
    session = api(base, token, "/api/sessions", {"path": str(notebook), "type": "notebook", "name": notebook.name,
                                                  "kernel": {"name": "python3"}})
    ws = websocket.create_connection(f"{base.replace('http', 'ws')}/api/kernels/{session['kernel']['id']}/channels"
                                     f"?token={token}", timeout=120)
    try:
        cwd = [m for m in execute(ws, "import os; print(os.getcwd())") if m["msg_type"] == "stream"]
        assert cwd and cwd[0]["content"]["text"].strip().endswith("notebooks")
        for cell in nbformat.read(REPO / notebook, as_version=4).cells:
            if cell.cell_type == "code":
                errors = [m for m in execute(ws, cell.source) if m["msg_type"] == "error"]
                assert not errors, (cell.source[:80], errors[0]["content"]["evalue"] if errors else "")
    finally:
        ws.close()
