"""Reel's mobile capture SDK: a framework-agnostic core and toolkit adapters (Qt for Python in `qt`).

The core takes data and returns data: screenshots in (Pillow images, already taken by an adapter),
changed rectangles, masked and encoded images, gestures and beacons out. The wire format it writes is
docs/contracts/mobile-beacon.md, which native SDKs can follow too.

    recorder = Recorder(RecorderConfig(), UploadQueue(folder, HttpTransport(url, app_key)))
    recorder.start(DeviceInfo(...), Screen(width=360, height=640, density=3.0))
    recorder.capture(screenshot, view="Catalogue", masks=[Rect(16, 80, 328, 40)])
    recorder.tap(120, 300, target="QPushButton#buy")
"""
