"""One screen class per ``view.Screen``, and :func:`build_layout` that picks the right one."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kiosk import view
from kiosk.screens.fonts import FontBook
from kiosk.screens.layout import Layout
from kiosk.screens.pages.base import ScreenView, compose
from kiosk.screens.pages.choose import CatalogueView, OptionsView
from kiosk.screens.pages.identify import FingerprintView, IdentityView
from kiosk.screens.pages.issue import CollectView, IssuingView, ThanksView
from kiosk.screens.pages.pay import FeeView, PaymentView
from kiosk.screens.pages.start import AttractView, LanguageView
from kiosk.screens.pages.trouble import FailureView, OutOfServiceView, ServiceView
from kiosk.screens.state import UiState
from kiosk.screens.theme import Theme

SCREEN_VIEWS: Mapping[view.Screen, ScreenView] = MappingProxyType({
    cls.screen: cls() for cls in (
        AttractView, LanguageView, CatalogueView, OptionsView, IdentityView, FingerprintView,
        FeeView, PaymentView, IssuingView, CollectView, ThanksView, FailureView,
        OutOfServiceView, ServiceView)
})


def build_layout(snapshot: view.Snapshot, state: UiState, *, theme: Theme, fonts: FontBook,
                 size: tuple[int, int], now: float, voice_native: bool = True) -> Layout:
    """The layout of ``snapshot`` with the UI's own state applied, at ``size`` pixels."""
    return compose(SCREEN_VIEWS[snapshot.screen], snapshot, state, theme=theme, fonts=fonts,
                   size=size, now=now, voice_native=voice_native)


__all__ = ["SCREEN_VIEWS", "ScreenView", "build_layout"]
