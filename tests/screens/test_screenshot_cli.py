"""``kiosk screenshot``: renders any screen headless to a PNG of the configured size."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from kiosk.cli import main

EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "examples" / "kiosk.toml"


@pytest.mark.parametrize(("state", "lang", "theme"), [
    ("attract", "ko", "default"), ("timeout_warning", "vi", "large-text"),
    ("out_of_service", "ja", "high-contrast"), ("identity", "zh", "default")])
def test_screenshot_writes_a_png_of_the_configured_size(tmp_path, capsys, state, lang,
                                                        theme) -> None:
    out = tmp_path / "shots" / f"{state}.png"
    assert main(["screenshot", "--state", state, "--lang", lang, "--theme", theme,
                 "--out", str(out)]) == 0
    image = pygame.image.load(str(out))
    assert image.get_size() == (1080, 1920)
    assert f"{state} in {lang}, theme {theme}, 1080x1920" in capsys.readouterr().out


def test_screenshot_takes_the_resolution_from_a_config(tmp_path) -> None:
    out = tmp_path / "shot.png"
    assert main(["screenshot", "--state", "catalogue", "--lang", "en", "--out", str(out),
                 "--config", str(EXAMPLE_CONFIG), "--magnify", "--low-reach",
                 "--focus", "doc.land-register"]) == 0
    assert pygame.image.load(str(out)).get_size() == (1080, 1920)


def test_unknown_state_and_bad_config_are_refused(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["screenshot", "--state", "lobby", "--out", str(tmp_path / "x.png")])
    assert exit_info.value.code == 2
    assert "invalid choice: 'lobby'" in capsys.readouterr().err
    assert main(["screenshot", "--state", "attract", "--out", str(tmp_path / "x.png"),
                 "--config", str(tmp_path / "missing.toml")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
