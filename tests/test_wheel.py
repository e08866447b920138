"""The wheel ships the stylesheets: build it, install it into a fresh virtual environment,
and start the app headless from there with its styles loaded from the installed package."""

from __future__ import annotations

import importlib.util
import os
import site
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Runs inside the fresh environment: proves where frontdesk and its styles come from.
PROBE = textwrap.dedent(
    """
    import asyncio, sys, sysconfig
    from pathlib import Path

    import frontdesk
    from frontdesk.config import Settings
    from frontdesk.services import Services
    from frontdesk.tui.app import FrontdeskApp
    from frontdesk.tui.paths import styles_dir

    site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
    package = Path(frontdesk.__file__).resolve().parent
    assert package == site_packages / "frontdesk", package
    assert styles_dir().resolve() == package / "styles", styles_dir()
    assert (package / "styles" / "app.tcss").is_file()
    assert (package / "styles" / "login.tcss").is_file()

    async def main() -> None:
        settings = Settings(db_url=f"sqlite:///{sys.argv[1]}")
        services = Services.open(settings)
        app = FrontdeskApp(services, settings)
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            await pilot.pause()
            # Stylesheet sources are keyed by (path, scope).
            paths = [key[0] if isinstance(key, tuple) else key for key in app.stylesheet.source]
            loaded = {Path(p).resolve() for p in paths if str(p).endswith(".tcss")}
            assert package / "styles" / "app.tcss" in loaded, loaded
            assert package / "styles" / "login.tcss" in loaded, loaded
            # A rule of login.tcss is in force on the first-run screen.
            box = app.screen.query_one("#login-box")
            assert box.styles.border_top[0] == "thick", box.styles.border_top
            print("screen:", type(app.screen).__name__)
        services.close()

    asyncio.run(main())
    print("styles from", package / "styles")
    """
)


def _run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.mark.slow
def test_the_wheel_starts_with_its_styles(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", wheels, ROOT]
    if importlib.util.find_spec("hatchling") is not None:
        build.insert(5, "--no-build-isolation")  # no download needed when hatchling is here
    built = _run(*build)
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("frontdesk-*.whl")

    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    paths = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    env_site = Path(paths.stdout.strip())
    installed = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet", wheel
    )
    assert installed.returncode == 0, installed.stderr
    # The dependencies (textual, sqlalchemy...) come from this environment: no download.
    outer = {*site.getsitepackages(), sysconfig.get_paths()["purelib"]}
    (env_site / "_outer_site_packages.pth").write_text("\n".join(sorted(outer)) + "\n")

    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    clean_env["HOME"] = str(tmp_path)
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    result = _run(python, probe, tmp_path / "wheel.sqlite3", cwd=tmp_path, env=clean_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "screen: FirstRunScreen" in result.stdout
    assert f"styles from {env_site.resolve() / 'frontdesk' / 'styles'}" in result.stdout
    assert str(ROOT) not in result.stdout

    script = env_dir / ("Scripts/frontdesk.exe" if os.name == "nt" else "bin/frontdesk")
    version = _run(script, "--version", cwd=tmp_path, env=clean_env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("frontdesk ")
