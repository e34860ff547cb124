"""The demo shop as a small Qt app (PySide6): catalogue list, product detail, checkout form, thanks.

A phone-sized window (360x640 points) with a stacked widget of pages named for the recorder's view
names, so tests (under `QT_QPA_PLATFORM=offscreen`) and the benchmark can drive a scripted session:

    shop = MobileShop()
    shop.open_product(2); shop.buy(); shop.type_name("Ada"); shop.scroll_list(3)

Run it with `python -m reel.demo.mobile_app` (and `--reel URL --key KEY` to record it); Ctrl-C or
SIGTERM stop it as closing the window does, sending the recording's final beacon.
"""

from __future__ import annotations

import argparse
import signal
import sys
import zlib
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from reel.demo.catalogue import PRODUCTS, Product

WIDTH, HEIGHT = 360, 640
STYLE = """
QWidget { background: #f7f4ef; color: #1f2a2e; font-size: 14px; }
QLabel#title { font-size: 18px; font-weight: bold; }
QLabel#price { font-size: 20px; color: #2f6f73; font-weight: bold; }
QPushButton { background: #2f6f73; color: white; border: none; padding: 10px; border-radius: 6px; }
QPushButton#back { background: transparent; color: #2f6f73; padding: 4px; }
QLineEdit { background: white; border: 1px solid #c9c2b6; padding: 8px; border-radius: 4px; }
QListWidget { background: white; border: none; }
QListWidget::item { padding: 14px; border-bottom: 1px solid #ece6dc; }
"""


class Swatch(QWidget):
    """The product's picture: a coloured tile with its initials (drawn, no image files needed)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFixedHeight(150)
        self.product: Product | None = None

    def paintEvent(self, _event: QPaintEvent) -> None:
        if self.product is None:
            return
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self.product.accent))
        painter.setPen(QColor("white"))
        painter.setFont(QFont("sans", 40, QFont.Weight.Bold))
        initials = "".join(word[0] for word in self.product.name.split()[:2])
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, initials)
        painter.end()


def _page(name: str, *widgets: QWidget) -> QWidget:
    page = QWidget()
    page.setObjectName(name)
    layout = QVBoxLayout(page)
    layout.setContentsMargins(16, 12, 16, 16)
    for widget in widgets:
        layout.addWidget(widget)
    return page


class MobileShop(QWidget):
    """The app's window; its methods are what a user does, for scripted sessions."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("MobileShop")
        self.setStyleSheet(STYLE)
        self.resize(WIDTH, HEIGHT)
        self.stack = QStackedWidget()
        self.back = QPushButton("< Back")
        self.back.setObjectName("back")
        self.back.clicked.connect(self.go_back)
        self.title = QLabel("Shop")
        self.title.setObjectName("title")
        bar = QHBoxLayout()
        bar.addWidget(self.back)
        bar.addWidget(self.title, 1)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 8, 0, 0)
        root.addLayout(bar)
        root.addWidget(self.stack, 1)

        self.list = QListWidget()
        self.list.setObjectName("products")
        for product in PRODUCTS * 3:  # long enough to scroll
            QListWidgetItem(f"{product.name}\n{product.price}", self.list)
        self.list.itemClicked.connect(lambda item: self.open_product(self.list.row(item) % len(PRODUCTS)))
        self.catalogue = _page("Catalogue", self.list)

        self.swatch = Swatch()
        self.name_label = QLabel()
        self.name_label.setObjectName("title")
        self.price = QLabel()
        self.price.setObjectName("price")
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.buy_button = QPushButton("Buy now")
        self.buy_button.setObjectName("buy")
        self.buy_button.clicked.connect(self.buy)
        self.detail = _page(
            "Product", self.swatch, self.name_label, self.price, self.description, self.buy_button
        )
        self.detail.layout().addStretch(1)  # type: ignore[union-attr]

        self.name_field = QLineEdit()
        self.name_field.setObjectName("name")
        self.name_field.setPlaceholderText("Full name")
        self.email_field = QLineEdit()
        self.email_field.setObjectName("email")
        self.email_field.setPlaceholderText("Email")
        # A coupon code is nothing personal: this field opts out of the default masking of text inputs.
        self.coupon_field = QLineEdit()
        self.coupon_field.setObjectName("coupon")
        self.coupon_field.setPlaceholderText("Coupon code")
        self.coupon_field.setProperty("reelSensitive", False)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.pay_button = QPushButton("Place order")
        self.pay_button.setObjectName("pay")
        self.pay_button.clicked.connect(self.place_order)
        form_box = QWidget()
        form = QFormLayout(form_box)
        form.addRow("Name", self.name_field)
        form.addRow("Email", self.email_field)
        form.addRow("Coupon", self.coupon_field)
        self.checkout = _page("Checkout", self.summary, form_box, self.pay_button)
        self.checkout.layout().addStretch(1)  # type: ignore[union-attr]

        self.thanks_label = QLabel()
        self.thanks_label.setWordWrap(True)
        # The order number is not a text input, but the app marks it sensitive: it is masked too.
        self.order_label = QLabel()
        self.order_label.setObjectName("order")
        self.order_label.setProperty("reelSensitive", True)
        self.thanks = _page("Thanks", self.thanks_label, self.order_label)
        self.thanks.layout().addStretch(1)  # type: ignore[union-attr]

        for page in (self.catalogue, self.detail, self.checkout, self.thanks):
            self.stack.addWidget(page)
        self.product = PRODUCTS[0]
        self.show_page(self.catalogue, "Shop")

    # ---- navigation ----------------------------------------------------------------------------------

    def show_page(self, page: QWidget, title: str) -> None:
        """Switch to `page`."""
        self.stack.setCurrentWidget(page)
        self.title.setText(title)
        self.back.setVisible(page is not self.catalogue)

    def open_product(self, index: int) -> None:
        """Show the product detail page."""
        self.product = PRODUCTS[index % len(PRODUCTS)]
        self.swatch.product = self.product
        self.name_label.setText(self.product.name)
        self.price.setText(self.product.price)
        self.description.setText(self.product.description)
        self.show_page(self.detail, "Product")

    def buy(self) -> None:
        """Go to the checkout form."""
        self.summary.setText(f"1 x {self.product.name}, {self.product.price}")
        self.show_page(self.checkout, "Checkout")

    def place_order(self) -> None:
        """Finish: the thanks page (it names no one: what was typed is not shown again)."""
        self.thanks_label.setText(f"Thank you! Your {self.product.name} is on its way.")
        self.order_label.setText(
            f"Order number: R-{zlib.crc32(self.name_field.text().encode()) % 100000:05d}"
        )
        self.show_page(self.thanks, "Done")

    def go_back(self) -> None:
        """One page back (the thanks page goes back to the catalogue)."""
        current = self.stack.currentWidget()
        if current is self.checkout:
            self.show_page(self.detail, "Product")
        else:
            self.show_page(self.catalogue, "Shop")

    # ---- scripted input, as a user would do it ---------------------------------------------------------

    def tap(self, widget: QWidget, at: QPoint | None = None) -> None:
        """A tap (press and release) on `widget`, at its centre unless `at` is given."""
        QTest.mouseClick(
            widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at or widget.rect().center()
        )
        QApplication.processEvents()

    def tap_product(self, row: int) -> None:
        """Tap a row of the catalogue list."""
        item = self.list.item(row)
        self.tap(self.list.viewport(), self.list.visualItemRect(item).center())

    def type_into(self, field: QLineEdit, text: str) -> None:
        """Tap a field and type `text` into it, key by key."""
        self.tap(field)
        field.setFocus()
        QTest.keyClicks(field, text)
        QApplication.processEvents()

    def scroll_list(self, notches: int) -> None:
        """Scroll the catalogue down by `notches` wheel notches (a finger's flick on a phone)."""
        viewport = self.list.viewport()
        centre = QPointF(viewport.rect().center())
        for _ in range(notches):
            event = QWheelEvent(
                centre,
                QPointF(viewport.mapToGlobal(centre.toPoint())),
                QPoint(0, 0),
                QPoint(0, -120),
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
                Qt.ScrollPhase.NoScrollPhase,
                False,
            )
            QApplication.sendEvent(viewport, event)
        QApplication.processEvents()


SIGNAL_POLL_MS = 200
"""Qt's event loop runs in C++; a timer lets Python run its signal handlers this often."""
FINAL_SEND_TIMEOUT_S = 10.0


def quit_on_signals(app: QApplication) -> QTimer:
    """SIGINT (Ctrl-C) and SIGTERM end the app as closing its window would: `aboutToQuit` runs (the
    recording's final beacon) and `exec` returns. Without this, Ctrl-C raised KeyboardInterrupt inside a
    Qt callback (reported as a crash, and the app kept running) and SIGTERM killed it mid-recording."""

    def stop(_signum: int, _frame: object) -> None:
        app.quit()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    timer = QTimer()
    timer.timeout.connect(lambda: None)
    timer.start(SIGNAL_POLL_MS)
    return timer


def main(argv: list[str] | None = None) -> None:
    """Run the demo app, recording it into Reel when `--reel` and `--key` are given."""
    parser = argparse.ArgumentParser(description="Reel's demo mobile shop (Qt)")
    parser.add_argument("--reel", help="Reel's base URL, e.g. http://127.0.0.1:8700")
    parser.add_argument("--key", help="The app key of a mobile application")
    parser.add_argument("--queue", default=".reel-data/mobile-queue", help="Folder of the upload queue")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    shop = MobileShop()
    shop.show()
    _signals = quit_on_signals(app)
    if not (args.reel and args.key):
        app.exec()
        return
    from reel.capture.mobile.masking import MaskPolicy, policy_from_config
    from reel.capture.mobile.qt import QtCapture
    from reel.capture.mobile.queue import HttpTransport, Uploader, UploadQueue
    from reel.capture.mobile.recorder import Recorder, RecorderConfig
    from reel.capture.mobile.remote import fetch_config

    config = fetch_config(args.reel, args.key)
    policy = policy_from_config(config) if config is not None else MaskPolicy()
    queue = UploadQueue(Path(args.queue), HttpTransport(args.reel, args.key, timeout_s=FINAL_SEND_TIMEOUT_S))
    uploader = Uploader(queue).start()
    recorder = Recorder(RecorderConfig(), queue, on_beacon=uploader.wake)
    recorder.rules_version = policy.version
    capture = QtCapture(shop, recorder, policy=policy)
    capture.install_crash_handler()
    capture.start()
    app.aboutToQuit.connect(capture.stop)
    app.exec()
    # The final beacon is on disk; send it now rather than leave it to the next start of the app.
    uploader.stop()
    queue.send_pending(force=True)


if __name__ == "__main__":
    main()
