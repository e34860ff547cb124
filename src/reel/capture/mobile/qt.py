"""Qt for Python adapter (PySide6, which also targets Android and iOS): grabs the window, hooks touch,
mouse, keyboard, orientation and lifecycle through one application-wide event filter, names views.

    capture = QtCapture(window, Recorder(RecorderConfig(), queue), device=DeviceInfo(app_id="shop"))
    capture.start()          # a timer then offers a screenshot whenever something was painted

The view name is the `objectName` (or class) of the current page of the window's first `QStackedWidget`,
else of the window. Masked by default: every text input (QLineEdit, QTextEdit, QPlainTextEdit, spin
boxes) and every widget with the dynamic property `reelSensitive` set to true; a text input with
`reelSensitive` false is shown; password fields always masked.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PIL import Image
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtGui import (
    QEventPoint,
    QGuiApplication,
    QImage,
    QInputDevice,
    QKeyEvent,
    QMouseEvent,
    QTouchEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QTextEdit,
    QWidget,
)

from reel.capture.mobile.gestures import GestureTracker
from reel.capture.mobile.masking import MaskPolicy, ViewFacts, mask_rects
from reel.capture.mobile.model import DeviceInfo, Rect, Screen
from reel.capture.mobile.recorder import Capture, Recorder
from reel.dom.types import ELEMENT

TEXT_INPUTS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox)
_PAINTS = frozenset({QEvent.Type.Paint, QEvent.Type.UpdateRequest, QEvent.Type.Show, QEvent.Type.Hide})
_MOUSE = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.MouseButtonRelease})
_TOUCH = frozenset({QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd})
WHEEL_POINTS_PER_NOTCH = 20.0


def to_pil(image: QImage) -> Image.Image:
    """A QImage as a Pillow RGB image (one copy)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(rgb.constBits())
    return Image.frombuffer("RGB", (rgb.width(), rgb.height()), data, "raw", "RGB", rgb.bytesPerLine(), 1)


def describe(widget: QObject) -> str:
    """A readable target: the class and the object name, e.g. `QPushButton#buy` (no text content)."""
    name = widget.objectName()
    kind = type(widget).__name__
    return f"{kind}#{name}" if name else kind


def default_view_name(window: QWidget) -> str:
    """The current page of the window's first stacked widget, else the window itself."""
    stacks = window.findChildren(QStackedWidget)
    page = stacks[0].currentWidget() if stacks else None
    view: QWidget = page if page is not None else window
    return view.objectName() or type(view).__name__


class QtCapture(QObject):
    """Records one top-level window with a `Recorder`."""

    def __init__(
        self,
        window: QWidget,
        recorder: Recorder,
        *,
        device: DeviceInfo | None = None,
        view_name: Callable[[QWidget], str] = default_view_name,
        policy: MaskPolicy | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.recorder = recorder
        self.device = device or DeviceInfo(os_name=QGuiApplication.platformName())
        self.view_name = view_name
        self.policy = policy or MaskPolicy()
        self.tracker = GestureTracker()
        self.dirty = True
        self._keys: dict[str, int] = {}
        self._seen: tuple[int, int, float, float] | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._on_timer)
        self._previous_hook: (
            Callable[[type[BaseException], BaseException, TracebackType | None], object] | None
        ) = None

    # ---- life ----------------------------------------------------------------------------------------

    def start(self, *, auto: bool = True) -> None:
        """Start recording; with `auto`, a timer captures at most `max_fps` while the screen changes."""
        self.recorder.start(self.device, self.screen())
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
            if isinstance(app, QGuiApplication):
                app.applicationStateChanged.connect(self._on_state)
                app.inputMethod().visibleChanged.connect(self._on_keyboard)
        for stack in self.window.findChildren(QStackedWidget):
            stack.currentChanged.connect(self._on_view_change)
        if auto:
            self._timer.start(max(50, int(500 / self.recorder.config.max_fps)))
        self.capture_now()

    def stop(self) -> None:
        """Stop recording and send the last beacon."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._flush_keys()
        self.recorder.stop()
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook

    def screen(self) -> Screen:
        """The window's size in points and its density."""
        return Screen(self.window.width(), self.window.height(), self.window.devicePixelRatioF())

    def install_crash_handler(self) -> None:
        """Report uncaught exceptions as crashes (type and top frame only, never the message)."""
        self._previous_hook = sys.excepthook

        def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
            if issubclass(kind, KeyboardInterrupt):  # the user stopping the app is not a crash
                if self._previous_hook is not None:
                    self._previous_hook(kind, error, tb)
                return
            frames = traceback.extract_tb(tb)
            where = (
                f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno} in {frames[-1].name}"
                if frames
                else ""
            )
            self.crash(kind.__name__, where)
            if self._previous_hook is not None:
                self._previous_hook(kind, error, tb)

        sys.excepthook = hook

    def crash(self, kind: str, where: str = "") -> None:
        """Record a crash now, with the screen as it is."""
        self._flush_keys()
        self.capture_now()
        self.recorder.crash(kind, where)

    # ---- capture -------------------------------------------------------------------------------------

    def grab(self) -> Image.Image:
        """The window as the user sees it, in device pixels."""
        return to_pil(self.window.grab().toImage())

    def masks(self) -> list[Rect]:
        """Rectangles (points, window coordinates) of the visible views to mask."""
        facts = []
        every_view = self.policy.has_rules
        for widget in self.window.findChildren(QWidget):
            if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
                continue
            flag = widget.property("reelSensitive")
            text_input = isinstance(widget, TEXT_INPUTS)
            if not text_input and flag is None and not every_view:
                continue
            origin = widget.mapTo(self.window, QPointF(0, 0))
            rect = Rect(origin.x(), origin.y(), widget.width(), widget.height())
            password = isinstance(widget, QLineEdit) and widget.echoMode() != QLineEdit.EchoMode.Normal
            sensitive = bool(flag) if flag is not None else None
            facts.append(ViewFacts(rect, text_input, password, sensitive, WidgetNode(widget, self.window)))
        return mask_rects(facts, self.policy)

    def capture_now(self) -> Capture:
        """Offer a screenshot to the recorder now (tests and view changes call this directly)."""
        self._flush_keys()
        result = self.recorder.capture(self.grab(), self.view_name(self.window), self.masks())
        self.dirty = result is Capture.DEFERRED
        return result

    def _on_timer(self) -> None:
        if self.dirty:
            self.capture_now()
        self.recorder.tick()

    def _on_view_change(self, _index: int) -> None:
        self.dirty = True
        QTimer.singleShot(0, self.capture_now)  # after the new page painted

    def _on_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.recorder.lifecycle("foreground")
        elif state in (Qt.ApplicationState.ApplicationSuspended, Qt.ApplicationState.ApplicationHidden):
            self._flush_keys()
            self.recorder.lifecycle("background")

    def _on_keyboard(self) -> None:
        method = QGuiApplication.inputMethod()
        self.recorder.keyboard(method.isVisible(), method.keyboardRectangle().height())

    # ---- events --------------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(event, QTouchEvent) and kind in _TOUCH:
            # Touches are taken where the window system delivers them, to the window, before any
            # widget: a widget that does not accept touch never sees the rest of the gesture.
            if watched is self.window.windowHandle():
                for point in event.points():
                    self._on_touch(point, event.timestamp())
            return False
        if not isinstance(watched, QWidget) or watched.window() is not self.window:
            return False
        if kind in _PAINTS:
            self.dirty = True
        elif kind == QEvent.Type.Resize and watched is self.window:
            self.recorder.orientation(self.screen())
            self.dirty = True
        elif isinstance(event, QMouseEvent) and kind in _MOUSE:
            if event.pointingDevice().type() != QInputDevice.DeviceType.TouchScreen:  # not made from a touch
                self._on_pointer(watched, kind, 0, event.position(), event.timestamp())
        elif isinstance(event, QWheelEvent) and kind == QEvent.Type.Wheel:
            self._on_wheel(watched, event)
        elif (
            isinstance(event, QKeyEvent) and kind == QEvent.Type.KeyPress and isinstance(watched, TEXT_INPUTS)
        ):
            self._on_key(watched, event)
        elif kind == QEvent.Type.FocusOut and isinstance(watched, TEXT_INPUTS):
            self._flush_keys()
        return False

    def _first_delivery(self, kind: QEvent.Type, stamp: int, where: QPointF) -> bool:
        # An event a child ignores is delivered again to its parents; the filter sees each delivery.
        key = (int(kind.value), stamp, where.x(), where.y())
        if key == self._seen:
            return False
        self._seen = key
        return True

    def _point(self, widget: QWidget, position: QPointF) -> QPointF:
        return widget.mapTo(self.window, position)

    def _on_pointer(
        self, widget: QWidget, kind: QEvent.Type, pointer: int, position: QPointF, stamp: int
    ) -> None:
        p = self._point(widget, position)
        if not self._first_delivery(kind, stamp, p):
            return
        now = self.recorder.clock()
        if kind == QEvent.Type.MouseButtonPress:
            hit = self.window.childAt(p.toPoint()) or widget
            scrollable = any(isinstance(w, QAbstractScrollArea) for w in _ancestors(hit))
            self.tracker.down(pointer, p.x(), p.y(), now, target=describe(hit), scrollable=scrollable)
        elif kind == QEvent.Type.MouseMove:
            self.tracker.move(pointer, p.x(), p.y(), now)
        else:
            self.recorder.gestures(self.tracker.up(pointer, p.x(), p.y(), now))

    def _on_touch(self, point: QEventPoint, stamp: int) -> None:
        state = point.state()
        if state == QEventPoint.State.Pressed:
            kind = QEvent.Type.MouseButtonPress
        elif state == QEventPoint.State.Released:
            kind = QEvent.Type.MouseButtonRelease
        else:
            kind = QEvent.Type.MouseMove
        self._on_pointer(self.window, kind, point.id(), point.position(), stamp + point.id())

    def _on_wheel(self, widget: QWidget, event: QWheelEvent) -> None:
        p = self._point(widget, event.position())
        if self.window.childAt(p.toPoint()) is not widget:
            return  # a delivery to a parent, or a scroll area handing the wheel on to its scroll bar
        pixels = event.pixelDelta()
        if not pixels.isNull():
            dx, dy = float(-pixels.x()), float(-pixels.y())
        else:
            angle = event.angleDelta()
            dx = -angle.x() / 120 * WHEEL_POINTS_PER_NOTCH
            dy = -angle.y() / 120 * WHEEL_POINTS_PER_NOTCH
        self.recorder.gestures(
            [
                {
                    "type": "scroll",
                    "timestamp": self.recorder.clock(),
                    "x": p.x(),
                    "y": p.y(),
                    "dx": dx,
                    "dy": dy,
                    "target": describe(widget),
                }
            ]
        )
        self.dirty = True

    def _on_key(self, widget: QWidget, event: QKeyEvent) -> None:
        # Counted once, where the focus is (a spin box hands its keys on to its inner line edit).
        if not widget.hasFocus() or isinstance(widget.parentWidget(), QAbstractSpinBox):
            return
        if event.text() or event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            target = describe(widget)
            self._keys[target] = self._keys.get(target, 0) + 1

    def _flush_keys(self) -> None:
        for target, count in self._keys.items():
            self.recorder.keys(count, target)
        self._keys.clear()


class WidgetNode:
    """A widget as masking rules see it: its class is the type, its `objectName` the `#id`, and its
    parents up to the window the ancestors (reel.domain.selectors.SelectorNode)."""

    kind = ELEMENT
    extra = None

    def __init__(self, widget: QWidget, window: QWidget) -> None:
        self.widget = widget
        self.window = window

    @property
    def tag(self) -> str:
        return type(self.widget).__name__

    @property
    def attrs(self) -> dict[str, object]:
        name = self.widget.objectName()
        return {"id": name} if name else {}

    @property
    def parent(self) -> WidgetNode | None:
        if self.widget is self.window:
            return None
        parent = self.widget.parentWidget()
        return WidgetNode(parent, self.window) if parent is not None else None


def _ancestors(widget: QWidget) -> list[QWidget]:
    out: list[QWidget] = []
    current: QWidget | None = widget
    while current is not None:
        out.append(current)
        current = current.parentWidget()
    return out
