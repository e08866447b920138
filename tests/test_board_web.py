"""`frontdesk board --web` for a waiting-room TV: a cap on boards, a page that works
offline, and a warning when the board is reachable from the network."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer

from frontdesk import cli
from frontdesk.tui.board.web import BoardServer, is_loopback, offline_template

# A stand-in for a board process: stays alive quietly until the browser leaves.
IDLE = f'{sys.executable} -c "import time; time.sleep(60)"'


async def _client(server: BoardServer) -> TestClient:
    app = await server.web_app()
    client = TestClient(TestServer(app))
    await client.start_server()
    server.public_url = str(client.make_url("")).rstrip("/")
    return client


def test_the_page_loads_nothing_from_the_internet() -> None:
    async def check() -> None:
        client = await _client(BoardServer(IDLE, title="frontdesk · now serving"))
        try:
            page = await (await client.get("/")).text()
            assert "googleapis" not in page and "fonts.gstatic" not in page
            assert "@font-face" in page and "RobotoMono-VariableFont_wght.ttf" in page
            for url in {u for u in page.split('"') if u.startswith(("http://", "https://"))}:
                assert url.startswith(server_url(client)) or "w3.org" in url, url
            font = await client.get("/static/fonts/RobotoMono-VariableFont_wght.ttf")
            assert font.status == 200 and len(await font.read()) > 10_000
        finally:
            await client.close()

    asyncio.run(check())


def server_url(client: TestClient) -> str:
    return str(client.make_url("")).rstrip("/")


def test_offline_template_keeps_the_rest() -> None:
    original = (
        '<head>\n<link\n rel="stylesheet"\n'
        ' href="https://fonts.googleapis.com/css?family=Roboto%20Mono"\n/>\n'
        '<script src="x.js"></script></head>'
    )
    changed = offline_template(original)
    assert "googleapis" not in changed and '<script src="x.js"></script>' in changed
    assert changed.count("@font-face") == 1


def test_at_most_n_boards_at_once() -> None:
    async def check() -> None:
        server = BoardServer(IDLE, max_boards=2, title="board")
        client = await _client(server)
        sockets = []
        try:
            for _ in range(2):
                sockets.append(await client.ws_connect("/ws?width=80&height=24"))
            for _ in range(50):  # both boards are running
                if server.active == 2:
                    break
                await asyncio.sleep(0.05)
            assert server.active == 2
            full = await client.get("/")
            assert full.status == 503
            assert "already open on 2 screens" in await full.text()
            extra = await client.ws_connect("/ws?width=80&height=24")
            message = await extra.receive(timeout=5)
            assert message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
            assert server.active == 2  # no third process was started
            await sockets.pop().close()
            for _ in range(100):
                if server.active == 1:
                    break
                await asyncio.sleep(0.05)
            assert server.active == 1
            assert (await client.get("/")).status == 200  # room again
        finally:
            for ws in sockets:
                await ws.close()
            for _ in range(100):  # the board processes end before the loop does
                if server.active == 0:
                    break
                await asyncio.sleep(0.05)
            await client.close()
            await asyncio.sleep(0.2)

    asyncio.run(check())


def test_loopback_addresses() -> None:
    for host in ("127.0.0.1", "127.0.1.1", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.20", "desk-pc.local", ""):
        assert not is_loopback(host), host


def test_a_board_on_the_network_warns(
    served: list[Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["--config", str(tmp_path / "none.toml"), "--db", f"sqlite:///{tmp_path / 'd.sqlite3'}"]
    assert cli.main([*base, "board", "--web"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert cli.main([*base, "board", "--web", "--host", "0.0.0.0", "--max-boards", "6"]) == 0
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0" in err and "anyone on that network" in err
    assert [s.max_boards for s in served] == [4, 6]  # the default, then the flag
    (tmp_path / "four.toml").write_text("board_web_max = 2\n")
    four = ["--config", str(tmp_path / "four.toml"), *base[2:]]
    assert cli.main([*four, "board", "--web"]) == 0
    assert served[-1].max_boards == 2
    with pytest.raises(SystemExit) as refused:
        cli.main([*base, "board", "--web", "--max-boards", "0"])
    assert refused.value.code == 2 and "between 1 and 100" in capsys.readouterr().err
