"""Keypad-only operation of every screen: the focus ring reaches every control, in order and
back round; enter activates each one; the ring is visibly drawn; digits, clear and cancel do
what the panel's keys promise; the on-screen keyboard for text options works from the keypad
too."""

from __future__ import annotations

from dataclasses import replace

import pygame
import pytest

from kiosk import view
from kiosk.config import LANGUAGES
from kiosk.screens.interaction import Interaction
from kiosk.screens.layout import EditOption, Layout, LocalAction, TypeKey
from kiosk.screens.pages import build_layout
from kiosk.screens.render import Renderer
from kiosk.screens.samples import STATES, sample_snapshot
from kiosk.screens.state import UiState
from kiosk.screens.theme import contrast_ratio, resolve_theme

from .helpers import SIZE

PARCEL = view.OptionChoice("parcel", {"ko": "토지 소재지", "en": "Parcel location"}, (), {}, "",
                           kind="text", required=True, max_length=8)


def land_options() -> view.Snapshot:
    return replace(sample_snapshot("options", "ko"), selected_document="land-register",
                   options=(PARCEL,))


def setup(fonts, snapshot: view.Snapshot, **ui: object):
    state = UiState(keypad_mode=True, **ui)  # type: ignore[arg-type]
    sent: list[view.Intent] = []
    interaction = Interaction(state, sent.append, lambda: snapshot)

    def layout() -> Layout:
        return build_layout(snapshot, state, theme=resolve_theme("default"), fonts=fonts,
                            size=SIZE, now=0.0)
    return state, sent, interaction, layout


@pytest.mark.parametrize("state_id", STATES)
def test_focus_cycles_through_every_control_both_ways(fonts, state_id: str) -> None:
    for language in LANGUAGES:
        snapshot = sample_snapshot(state_id, language)
        state, _sent, interaction, layout = setup(fonts, snapshot)
        state.focus_id = None
        expected = [w.id for w in layout().focusable()]
        if not expected:
            assert state_id == "service", "only service mode has nothing to operate"
            continue
        forward = []
        for _ in expected:
            interaction.key("hash", layout())
            forward.append(state.focus_id)
        assert forward == expected
        interaction.key("hash", layout())
        assert state.focus_id == expected[0], "the ring wraps round"
        backward = []
        for _ in expected:
            interaction.key("star", layout())
            backward.append(state.focus_id)
        assert backward == list(reversed(expected))


@pytest.mark.parametrize("state_id", STATES)
def test_enter_activates_every_enabled_control(fonts, state_id: str) -> None:
    snapshot = sample_snapshot(state_id, "en")
    for widget in build_layout(snapshot, UiState(keypad_mode=True),
                               theme=resolve_theme("default"), fonts=fonts, size=SIZE,
                               now=0.0).focusable():
        state, sent, interaction, layout = setup(fonts, snapshot)
        state.focus_id, state.focus_by_keys = widget.id, True
        before = UiState(**vars(state))
        outcome = interaction.key("enter", layout())
        if not widget.enabled:
            assert sent == [], widget.id
            continue
        if isinstance(widget.action, view.Intent):
            assert sent == [widget.action], widget.id
        elif widget.action is LocalAction.REPEAT:
            assert outcome.repeat and sent == [view.RepeatGuidance()]
        elif widget.action in (LocalAction.VOLUME_UP, LocalAction.VOLUME_DOWN):
            assert state.volume != before.volume and sent and \
                isinstance(sent[0], view.ChangeVolume)
        else:
            assert vars(state) != vars(before), f"{widget.id} changed nothing"


def test_focus_ring_is_drawn_and_visible(fonts) -> None:
    snapshot = sample_snapshot("catalogue", "en")
    state, _sent, interaction, layout = setup(fonts, snapshot)
    interaction.key("hash", layout())
    current = layout()
    focused = current.find(state.focus_id)
    theme = resolve_theme("default")
    surface = pygame.Surface(SIZE)
    Renderer(fonts).draw(surface, current, theme.palette, focus_id=state.focus_id)
    x, y, w, _h = focused.rect
    ring = [surface.get_at((x + w // 2, y - offset))[:3] for offset in range(3, 16)]
    assert theme.palette.focus_outer in ring and theme.palette.focus_inner in ring
    assert contrast_ratio(theme.palette.focus_outer, theme.palette.background) >= 3


def test_digits_jump_to_choices_and_type_the_rrn(fonts) -> None:
    state, sent, interaction, layout = setup(fonts, sample_snapshot("catalogue", "en"))
    interaction.key("3", layout())
    assert state.focus_id == "doc.family-relation" and sent == []
    state, sent, interaction, layout = setup(fonts, sample_snapshot("identity", "en"))
    interaction.key("4", layout())
    interaction.key("clear", layout())
    interaction.key("enter", layout())
    assert sent == [view.RrnDigit("4"), view.RrnBackspace(), view.Confirm()]


def test_clear_goes_back_and_cancel_ends_except_on_attract(fonts) -> None:
    _state, sent, interaction, layout = setup(fonts, sample_snapshot("options", "en"))
    interaction.key("clear", layout())
    interaction.key("cancel", layout())
    assert sent == [view.Back(), view.Cancel()]
    _state, sent, interaction, layout = setup(fonts, sample_snapshot("attract", "en"))
    interaction.key("cancel", layout())
    assert sent == []


def test_first_key_on_attract_starts_voice_guidance_not_a_session(fonts) -> None:
    state, sent, interaction, layout = setup(fonts, sample_snapshot("attract", "ko"))
    state.keypad_mode = False
    outcome = interaction.key("enter", layout())
    assert sent == [] and outcome.repeat and state.speech_on and state.focus_id == "start"
    interaction.key("enter", layout())
    assert sent == [view.Start()]


def test_text_option_is_typed_on_the_onscreen_keyboard_and_the_keypad(fonts) -> None:
    snapshot = land_options()
    state, sent, interaction, layout = setup(fonts, snapshot)
    field = layout().find("option.parcel.text")
    assert field is not None and field.action == EditOption("parcel")
    state.focus_id = field.id
    state.focus_by_keys = True
    interaction.key("enter", layout())
    assert state.editing == "parcel"
    editor = layout()
    assert editor.modal and all(w.id.startswith("editor.") for w in editor.focusable())
    keys = {w.text: w for w in editor.focusable() if w.id.startswith("editor.key.")}
    for jamo in "ㅅㅏㄴ":
        interaction.activate(keys[jamo], editor, interaction.key("help", editor))
    interaction.key("1", layout())
    interaction.key("2", layout())
    interaction.key("clear", layout())
    assert state.edit_text == "산1"
    assert [i.value for i in sent if isinstance(i, view.SetOption)] == \
        ["ㅅ", "사", "산", "산1", "산12", "산1"]
    interaction.perform(TypeKey("-"), interaction.key("help", layout()))
    for _ in range(10):
        interaction.key("9", layout())
    assert len(state.edit_text) == PARCEL.max_length, "max_length holds"
    interaction.key("cancel", layout())
    assert state.editing is None and not layout().modal
    assert view.Cancel() not in sent, "cancel closes the keyboard, not the session"
