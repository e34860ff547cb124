"""The client's notebook (docs/client.ipynb), executed with nbclient against a live Reel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from client_reel import client_reel

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "client.ipynb"


def test_the_notebook_lists_sessions_and_shows_the_player_at_the_first_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    with client_reel(tmp_path / "data") as live:
        monkeypatch.setenv("REEL_URL", live.url)
        monkeypatch.setenv("REEL_TOKEN", live.admin_token)
        NotebookClient(
            notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    listing = code[1].outputs[0]["data"]["text/plain"]
    assert "'alice'" in listing and "'bob'" in listing and "/dashboard" in listing
    player = code[-1].outputs[0]["data"]
    # The error came 2.5 s into alice's session: the player opens paused there.
    assert '<iframe src="' + live.url + "/sessions/ses_" in player["text/html"]
    assert "?t=2500" in player["text/html"]
